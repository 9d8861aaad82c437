// Every tab names the thing it shows first and the product last ("bakery · Portico"), so a row of tabs
// reads by what is in them. One rule for the pages whose title is known when they are built (Next's
// metadata) and for those that learn it from the API (<PageTitle>).

export const PRODUCT_NAME = 'Portico';
const SEPARATOR = ' · ';

/** The document title for the given parts, most specific first; empty parts are skipped. */
export function titleOf(parts: readonly (string | null | undefined)[]): string {
  return [...parts.map((p) => p?.trim()).filter((p): p is string => !!p), PRODUCT_NAME].join(SEPARATOR);
}
