/**
 * Hash routes, so that any view can be linked in a ticket: `#/queue`, `#/features/F-12`,
 * `#/observations?band=L&asOf=2019-03-08T00:00:00Z`. The query part carries filters and the
 * time control's `asOf`.
 */

export const PAGES = [
  { name: 'overview', label: 'Overview' },
  { name: 'features', label: 'Features' },
  { name: 'queue', label: 'Verification queue' },
  { name: 'changes', label: 'Changes' },
  { name: 'observations', label: 'Observations' },
  { name: 'unverified', label: 'Unverified data' },
  { name: 'traceability', label: 'Traceability' },
  { name: 'findings', label: 'Findings' },
  { name: 'import', label: 'Import' },
] as const;

export type PageName = (typeof PAGES)[number]['name'];

export interface Route {
  readonly page: PageName;
  /** Path segments after the page, decoded: `['F-12']` for `#/features/F-12`. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
}

function isPageName(value: string): value is PageName {
  return PAGES.some((page) => page.name === value);
}

/** Parses `location.hash`; an unknown or empty path is the overview. */
export function parseHash(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const [path = '', queryText = ''] = body.split('?', 2);
  const [first = '', ...rest] = path.split('/').filter((part) => part !== '');
  const page = isPageName(first) ? first : 'overview';
  return { page, segments: rest.map((part) => decodeURIComponent(part)), query: new URLSearchParams(queryText) };
}

/** Builds a hash link, keeping the time control's `asOf` or `now` unless the query sets or clears it. */
export function hrefFor(page: PageName, segments: readonly string[] = [], query: Record<string, string | null | undefined> = {}): string {
  const params = new URLSearchParams();
  const current = parseHash(location.hash).query;
  for (const key of ['asOf', 'now']) {
    const value = current.get(key);
    if (value !== null && !(key in query)) params.set(key, value);
  }
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(key, value);
  }
  const path = [page, ...segments.map((segment) => encodeURIComponent(segment))].join('/');
  const text = params.toString();
  return `#/${path}${text === '' ? '' : `?${text}`}`;
}

/** Replaces query parameters of the current route without adding a history entry per keystroke. */
export function updateQuery(changes: Record<string, string | null>): void {
  const route = parseHash(location.hash);
  const params = new URLSearchParams(route.query);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === '') params.delete(key);
    else params.set(key, value);
  }
  const path = [route.page, ...route.segments.map((segment) => encodeURIComponent(segment))].join('/');
  const text = params.toString();
  history.replaceState(null, '', `#/${path}${text === '' ? '' : `?${text}`}`);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
