import { css } from 'lit';

export const appStyles = css`
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  :host {
    display: flex;
    flex-direction: column;
    min-height: 100vh;
    font-family: var(--onsky-font);
  }
  .skip {
    position: absolute;
    left: -9999px;
    top: 0;
    background: var(--onsky-surface);
    color: var(--onsky-link);
    padding: 8px 12px;
    z-index: 10;
  }
  .skip:focus {
    left: 8px;
  }
  header {
    background: var(--onsky-header);
    color: var(--onsky-header-ink);
    padding: 0 20px;
  }
  .top {
    display: flex;
    align-items: center;
    gap: 16px;
    flex-wrap: wrap;
    min-height: 52px;
  }
  .brand {
    font-weight: 700;
    font-size: 18px;
    letter-spacing: 0.02em;
    color: var(--onsky-header-ink);
    text-decoration: none;
    display: flex;
    gap: 8px;
    align-items: center;
  }
  .brand svg {
    width: 22px;
    height: 22px;
  }
  .spacer {
    flex: 1;
  }
  nav ul {
    display: flex;
    flex-wrap: wrap;
    gap: 2px;
    list-style: none;
    margin: 0;
    padding: 0;
  }
  nav a {
    display: block;
    color: #dce5f5;
    text-decoration: none;
    padding: 10px 12px;
    border-bottom: 3px solid transparent;
    font-weight: 500;
  }
  nav a:hover {
    color: #ffffff;
  }
  nav a[aria-current='page'] {
    color: #ffffff;
    border-bottom-color: #f5c451;
  }
  a:focus-visible,
  button:focus-visible,
  input:focus-visible,
  summary:focus-visible {
    outline: 3px solid var(--onsky-focus);
    outline-offset: 2px;
  }
  .tools {
    display: flex;
    gap: 12px;
    align-items: center;
    font-size: 13px;
  }
  .live {
    display: inline-flex;
    gap: 6px;
    align-items: center;
    color: #dce5f5;
  }
  .dot {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: #8c96a5;
  }
  .dot.on {
    background: #4cd37a;
  }
  .live.problem {
    color: #ffd9a8;
  }
  .live.problem .dot {
    background: #f0a040;
  }
  .role {
    background: rgba(255, 255, 255, 0.14);
    color: #ffffff;
    padding: 2px 8px;
    border-radius: 999px;
  }
  details.token {
    position: relative;
  }
  details.token summary {
    cursor: pointer;
    color: #dce5f5;
    list-style: none;
  }
  details.token form {
    position: absolute;
    right: 0;
    top: 28px;
    z-index: 5;
    background: var(--onsky-surface);
    color: var(--onsky-ink);
    border: 1px solid var(--onsky-line);
    border-radius: var(--onsky-radius);
    box-shadow: var(--onsky-shadow);
    padding: 12px;
    width: 320px;
    display: flex;
    flex-direction: column;
    gap: 8px;
  }
  details.token label {
    display: flex;
    flex-direction: column;
    gap: 2px;
    font-size: 12px;
    font-weight: 600;
    color: var(--onsky-ink-muted);
  }
  details.token input {
    font: inherit;
    padding: 5px 8px;
    border: 1px solid #8592a6;
    border-radius: var(--onsky-radius);
  }
  details.token .buttons {
    display: flex;
    gap: 8px;
  }
  details.token button {
    font: inherit;
    border-radius: var(--onsky-radius);
    border: 1px solid var(--onsky-accent);
    background: var(--onsky-accent);
    color: #ffffff;
    padding: 4px 12px;
    cursor: pointer;
  }
  details.token button.secondary {
    background: #ffffff;
    color: var(--onsky-accent);
  }
  .past {
    background: var(--onsky-amber-tint);
    color: var(--onsky-amber);
    padding: 8px 20px;
    font-weight: 600;
  }
  main {
    flex: 1;
    padding: 20px;
    max-width: 1440px;
    width: 100%;
    margin: 0 auto;
  }
  main:focus {
    outline: none;
  }
  footer {
    color: var(--onsky-ink-muted);
    font-size: 12px;
    padding: 12px 20px;
    text-align: center;
  }
`;
