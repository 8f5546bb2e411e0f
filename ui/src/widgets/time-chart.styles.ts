import { css } from 'lit';
import { visuallyHidden } from '../design/shared.js';

export const timeChartStyles = css`
  ${visuallyHidden}
  :host {
    display: block;
  }
  figure {
    margin: 0;
  }
  figcaption {
    font-weight: 650;
    margin-bottom: 6px;
  }
  .plot {
    min-height: 220px;
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 16px;
    font-size: 12px;
    color: var(--onsky-ink-muted);
    margin-top: 4px;
    padding: 0;
    list-style: none;
  }
  .swatch {
    display: inline-block;
    width: 10px;
    height: 10px;
    border-radius: 2px;
    margin-right: 6px;
    vertical-align: baseline;
  }
  details {
    margin-top: 6px;
    font-size: 12px;
  }
  summary {
    cursor: pointer;
    color: var(--onsky-link);
  }
  summary:focus-visible {
    outline: 3px solid var(--onsky-focus);
    outline-offset: 2px;
  }
  table {
    border-collapse: collapse;
    margin-top: 4px;
  }
  th,
  td {
    padding: 2px 8px;
    border-bottom: 1px solid var(--onsky-line);
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  th:first-child,
  td:first-child {
    text-align: left;
  }
  th[scope='row'] {
    font-weight: normal;
  }
  .empty {
    color: var(--onsky-ink-muted);
    padding: 24px 0;
  }
`;
