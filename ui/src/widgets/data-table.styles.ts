import { css } from 'lit';

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
  .badge {
    display: inline-block;
    padding: 1px 8px;
    border-radius: 999px;
    font-size: 12px;
    font-weight: 600;
    background: var(--onsky-grey-tint);
  }
  .badge.verified,
  .badge.passed,
  .badge.green,
  .badge.fully-verified {
    background: var(--onsky-green-tint);
    color: var(--onsky-green);
  }
  .badge.delivered,
  .badge.amber,
  .badge.partially-verified {
    background: var(--onsky-amber-tint);
    color: var(--onsky-amber);
  }
  .badge.failed,
  .badge.suspect,
  .badge.red,
  .badge.has-failures {
    background: var(--onsky-red-tint);
    color: var(--onsky-red);
  }
  .mono {
    font-family: var(--onsky-mono);
    font-size: 13px;
  }
`;
