import { css } from 'lit';
import { badges } from '../design/shared.js';

export const dataTableStyles = css`
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  :host {
    display: block;
    border: 1px solid var(--onsky-line);
    border-radius: var(--onsky-radius);
    background: var(--onsky-surface);
    overflow: hidden;
  }
  .row {
    display: grid;
    grid-template-columns: var(--onsky-columns);
    gap: 0 12px;
    padding: 0 12px;
    align-items: center;
    min-height: 36px;
    border-bottom: 1px solid var(--onsky-line);
    width: 100%;
  }
  .head .row {
    background: var(--onsky-grey-tint);
    font-size: 12px;
    font-weight: 600;
    color: var(--onsky-ink-muted);
  }
  [role='cell'],
  [role='columnheader'] {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .numeric {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .sort {
    all: unset;
    cursor: pointer;
    font: inherit;
    color: inherit;
    max-width: 100%;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .sort:focus-visible,
  lit-virtualizer:focus-visible {
    outline: 3px solid var(--onsky-focus);
    outline-offset: -3px;
  }
  lit-virtualizer {
    width: 100%;
    /* The virtualizer's own default is 150px, which leaves a gap under short tables. */
    min-height: 0 !important;
  }
  .scroll {
    overflow-x: auto;
  }
  [role='table'] {
    min-width: var(--onsky-min-width, 0);
  }
  .body .row:hover {
    background: #f7f9fc;
  }
  .footer {
    padding: 6px 12px;
    font-size: 12px;
    color: var(--onsky-ink-muted);
  }
  .empty {
    padding: 16px 12px;
    color: var(--onsky-ink-muted);
  }
  a {
    color: var(--onsky-link);
  }
  a:focus-visible {
    outline: 3px solid var(--onsky-focus);
    outline-offset: 1px;
  }
  ${badges}
  .mono {
    font-family: var(--onsky-mono);
    font-size: 13px;
  }
`;
