import { css } from 'lit';
import { sharedStyles } from '../design/shared.js';

export const verifyFormStyles = [
  sharedStyles,
  css`
    form {
      display: flex;
      flex-direction: column;
      gap: 10px;
      border-top: 1px solid var(--onsky-line);
      padding-top: 12px;
      margin-top: 8px;
    }
    fieldset {
      border: 1px solid var(--onsky-line);
      border-radius: var(--onsky-radius);
      padding: 8px 12px;
      margin: 0;
    }
    legend {
      font-size: 12px;
      font-weight: 600;
      color: var(--onsky-ink-muted);
      padding: 0 4px;
    }
    .observation {
      display: flex;
      flex-direction: row;
      gap: 8px;
      align-items: flex-start;
      font-size: 14px;
      font-weight: 400;
      color: var(--onsky-ink);
      padding: 3px 0;
    }
    .observation input {
      margin-top: 3px;
    }
    .check {
      font-size: 13px;
      margin-left: 24px;
    }
    .check.ok {
      color: var(--onsky-green);
    }
    .check.unmet {
      color: var(--onsky-red);
    }
    .check ul {
      margin: 2px 0;
      padding-left: 18px;
    }
    .row {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      align-items: end;
    }
    .row label {
      flex: 1;
      min-width: 200px;
    }
    .success {
      border-left: 4px solid var(--onsky-green);
      background: var(--onsky-green-tint);
      color: var(--onsky-green);
      padding: 8px 12px;
      border-radius: var(--onsky-radius);
    }
  `,
];
