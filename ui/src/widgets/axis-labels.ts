/** Estimated width of one character of an axis label, and the space kept between labels, in CSS px. */
const LABEL_CHARACTER_PX = 7;
const LABEL_GAP_PX = 14;

/**
 * Keeps every label while they fit across `plotWidthPx`, else every second, third… label, with the
 * others empty: once bars are narrower than their labels, adjacent labels overlap. A label's width
 * is estimated from its characters at the chart's 11–12 px axis font.
 */
export function thinLabels(labels: readonly string[], plotWidthPx: number): string[] {
  const longest = labels.reduce((max, label) => Math.max(max, label.length), 0);
  const labelWidth = longest * LABEL_CHARACTER_PX + LABEL_GAP_PX;
  const step = plotWidthPx <= 0 ? 1 : Math.max(1, Math.ceil((labels.length * labelWidth) / plotWidthPx));
  return labels.map((label, index) => (index % step === 0 ? label : ''));
}

/** Returns the space one label takes with its gap, in CSS px. */
export function labelWidthPx(label: string): number {
  return label.length * LABEL_CHARACTER_PX + LABEL_GAP_PX;
}
