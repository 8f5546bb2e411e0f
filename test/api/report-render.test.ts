import { describe, expect, it } from 'vitest';
import { renderReport, type Report } from '../../api/reports.js';

/** Returns a report whose one row contains text a user typed into a title. */
function reportWith(title: string): Report {
  return {
    kind: 'wsjf',
    title: 'WSJF',
    asOf: '2019-03-10T12:00:00Z',
    summary: [`Top feature: ${title}`],
    tables: [{ caption: 'Features', columns: ['Key', 'Title', 'WSJF'], rows: [['CBF-1', title, -2]] }],
    data: null,
  };
}

describe('renderReport with typed text', () => {
  it('shows terminal escapes instead of sending them', () => {
    const markdown = renderReport(reportWith('red \u001b[31malert\u001b[0m'), 'md');
    expect(markdown).not.toContain('\u001b');
    expect(markdown).toContain('| CBF-1 | red \\u{1b}[31malert\\u{1b}[0m | -2 |');
    expect(markdown).toContain('- Top feature: red \\u{1b}[31malert');
  });

  it('keeps a Markdown row on one line', () => {
    const markdown = renderReport(reportWith('first line\nsecond | part'), 'md');
    expect(markdown).toContain('| CBF-1 | first line second \\| part | -2 |');
  });

  it('keeps a recorded name from adding a heading', () => {
    const report = { ...reportWith('x'), title: 'Backpressure for XSYS\n\n# All clear: signal GREEN\n' };
    const markdown = renderReport(report, 'md');
    expect(markdown.startsWith('# Backpressure for XSYS  # All clear: signal GREEN \n')).toBe(true);
    expect(markdown).not.toContain('\n# All clear');
  });

  it('renders no HTML inside Markdown', () => {
    expect(renderReport(reportWith('<script>alert(1)</script>'), 'md')).toContain('| CBF-1 | &lt;script&gt;alert(1)&lt;/script&gt; | -2 |');
  });

  it('shows controls in CSV and HTML', () => {
    const title = 'clear\u001b[2J\u202eevil';
    expect(renderReport(reportWith(title), 'csv')).toContain('CBF-1,clear\\u{1b}[2J\\u{202e}evil,-2');
    expect(renderReport(reportWith(title), 'html')).toContain('<td>clear\\u{1b}[2J\\u{202e}evil</td>');
  });

  it('shows direction overrides', () => {
    expect(renderReport(reportWith('abc\u202edef'), 'md')).toContain('abc\\u{202e}def');
  });

  it('keeps a CSV formula from running', () => {
    const csv = renderReport(reportWith('=HYPERLINK("http://example.invalid","x")'), 'csv');
    expect(csv).toContain(`CBF-1,"'=HYPERLINK(""http://example.invalid"",""x"")",-2`);
  });

  it('names the table of each CSV row when there are several', () => {
    const report: Report = {
      ...reportWith('x'),
      tables: [
        { caption: 'By month', columns: ['group', 'hours'], rows: [['2019-03', 1.25]] },
        { caption: 'By band', columns: ['group', 'hours'], rows: [['L', 1.25]] },
      ],
    };
    expect(renderReport(report, 'csv')).toBe('table,group,hours\nBy month,2019-03,1.25\n\ntable,group,hours\nBy band,L,1.25\n');
  });

  it('leaves plain text and numbers alone in CSV', () => {
    expect(renderReport(reportWith('Delay calibration'), 'csv')).toContain('CBF-1,Delay calibration,-2');
  });
});
