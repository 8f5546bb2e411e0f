/** Layout shared by the pages, on top of the design system's shared styles. */
import { css } from 'lit';
import { sharedStyles } from '../design/shared.js';

export const pageStyles = [
  sharedStyles,
  css`
    .page-head {
      display: flex;
      align-items: baseline;
      justify-content: space-between;
      gap: 12px;
      flex-wrap: wrap;
    }
    /* Cards of five-column tables: at 440 px three fitted a 1400 px screen and clipped a column. */
    .grid.wide {
      grid-template-columns: repeat(auto-fit, minmax(480px, 1fr));
    }
    .signal-card {
      border-top: 4px solid var(--onsky-line);
    }
    .signal-card.green {
      border-top-color: var(--onsky-green);
    }
    .signal-card.amber {
      border-top-color: #d9822b;
    }
    .signal-card.red {
      border-top-color: var(--onsky-red);
    }
    .signal-card header {
      display: flex;
      justify-content: space-between;
      align-items: center;
      margin-bottom: 4px;
    }
    .recommendation {
      font-weight: 600;
    }
    ul.reasons {
      margin: 4px 0 0;
      padding-left: 18px;
      color: var(--onsky-ink-muted);
    }
    ol.timeline {
      list-style: none;
      padding: 0;
      margin: 0;
      border-left: 2px solid var(--onsky-line);
    }
    ol.timeline li {
      position: relative;
      padding: 4px 0 10px 16px;
    }
    ol.timeline li::before {
      content: '';
      position: absolute;
      left: -6px;
      top: 9px;
      width: 10px;
      height: 10px;
      border-radius: 50%;
      background: var(--onsky-accent);
    }
    ol.timeline li.verification::before {
      background: var(--onsky-green);
    }
    ol.timeline li.suspect::before,
    ol.timeline li.failed::before {
      background: var(--onsky-red);
    }
    ol.timeline time {
      font-family: var(--onsky-mono);
      font-size: 12px;
      color: var(--onsky-ink-muted);
      display: block;
    }
    .chips {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
    }
    .two {
      display: grid;
      grid-template-columns: minmax(0, 2fr) minmax(0, 1fr);
      gap: var(--onsky-gap);
    }
    @media (max-width: 900px) {
      .two {
        grid-template-columns: minmax(0, 1fr);
      }
    }
    dl.facts {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 4px 12px;
      margin: 0 0 16px;
    }
    dl.facts dt {
      color: var(--onsky-ink-muted);
    }
    dl.facts dd {
      margin: 0;
    }
  `,
];
