/** Styles every page and widget shares: cards, headings, tables, buttons, forms, focus and badges. */
import { css } from 'lit';

/** Hides text from the eye but not from screen readers (labels, table captions). */
export const visuallyHidden = css`
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/** Status badges: one colour per status family (green verified, amber waiting, red failed or suspect). */
export const badges = css`
  .badge {
    display: inline-block;
    padding: 1px 8px;
    border-radius: 999px;
    font-size: 12px;
    font-weight: 600;
    background: var(--onsky-grey-tint);
    color: var(--onsky-ink);
    white-space: nowrap;
  }
  .badge.green,
  .badge.verified,
  .badge.passed,
  .badge.fully-verified {
    background: var(--onsky-green-tint);
    color: var(--onsky-green);
  }
  .badge.amber,
  .badge.delivered,
  .badge.partially-verified,
  .badge.inconclusive {
    background: var(--onsky-amber-tint);
    color: var(--onsky-amber);
  }
  .badge.red,
  .badge.failed,
  .badge.suspect,
  .badge.has-failures {
    background: var(--onsky-red-tint);
    color: var(--onsky-red);
  }
`;

export const sharedStyles = css`
  ${visuallyHidden}
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  :host {
    display: block;
    color: var(--onsky-ink);
    font-family: var(--onsky-font);
  }
  h1 {
    font-size: 22px;
    margin: 0 0 4px;
    font-weight: 650;
  }
  h2 {
    font-size: 16px;
    margin: 0 0 12px;
    font-weight: 650;
  }
  h3 {
    font-size: 14px;
    margin: 0 0 8px;
  }
  p {
    margin: 0 0 8px;
  }
  a {
    color: var(--onsky-link);
  }
  :focus-visible {
    outline: 3px solid var(--onsky-focus);
    outline-offset: 2px;
  }
  .lede {
    color: var(--onsky-ink-muted);
    margin-bottom: var(--onsky-gap);
  }
  .grid {
    display: grid;
    gap: var(--onsky-gap);
    grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
    margin-bottom: var(--onsky-gap);
  }
  .card {
    background: var(--onsky-surface);
    border: 1px solid var(--onsky-line);
    border-radius: var(--onsky-radius);
    box-shadow: var(--onsky-shadow);
    padding: 16px;
    margin-bottom: var(--onsky-gap);
    min-width: 0;
    overflow-x: auto;
  }
  .grid > .card {
    margin-bottom: 0;
  }
  .figures {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(110px, 1fr));
    gap: 8px 16px;
    margin: 8px 0 12px;
  }
  .figures div {
    display: flex;
    flex-direction: column;
  }
  .figures dt {
    font-size: 12px;
    color: var(--onsky-ink-muted);
  }
  .figures dd {
    margin: 0;
    font-size: 18px;
    font-variant-numeric: tabular-nums;
    font-weight: 600;
  }
  .muted {
    color: var(--onsky-ink-muted);
  }
  .mono {
    font-family: var(--onsky-mono);
    font-size: 13px;
  }
  .num {
    font-variant-numeric: tabular-nums;
    text-align: right;
  }
  table.plain {
    border-collapse: collapse;
    width: 100%;
  }
  table.plain th,
  table.plain td {
    text-align: left;
    padding: 6px 8px;
    border-bottom: 1px solid var(--onsky-line);
    vertical-align: top;
  }
  table.plain th {
    font-size: 12px;
    color: var(--onsky-ink-muted);
    font-weight: 600;
  }
  table.plain th[scope='row'] {
    font-size: 14px;
    color: var(--onsky-ink);
  }
  table.plain .num {
    text-align: right;
  }
  button,
  .button {
    font: inherit;
    border-radius: var(--onsky-radius);
    border: 1px solid var(--onsky-accent);
    background: var(--onsky-accent);
    color: var(--onsky-accent-ink);
    padding: 6px 14px;
    cursor: pointer;
    font-weight: 600;
  }
  button.secondary {
    background: var(--onsky-surface);
    color: var(--onsky-accent);
  }
  button:disabled {
    background: var(--onsky-grey-tint);
    border-color: var(--onsky-line);
    color: var(--onsky-ink-muted);
    cursor: not-allowed;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 2px;
    font-size: 12px;
    color: var(--onsky-ink-muted);
    font-weight: 600;
  }
  input,
  select,
  textarea {
    font: inherit;
    font-size: 14px;
    color: var(--onsky-ink);
    padding: 5px 8px;
    border: 1px solid #8592a6;
    border-radius: var(--onsky-radius);
    background: var(--onsky-surface);
    font-weight: 400;
  }
  .filters {
    display: flex;
    flex-wrap: wrap;
    gap: 8px 12px;
    align-items: end;
    margin-bottom: 12px;
  }
  ${badges}
  .error {
    border-left: 4px solid var(--onsky-red);
    background: var(--onsky-red-tint);
    color: var(--onsky-red);
    padding: 8px 12px;
    border-radius: var(--onsky-radius);
    white-space: pre-wrap;
  }
`;
