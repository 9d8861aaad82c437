// The shape of every id on the wire (projects, builds, sessions, users). The store makes them; routes,
// topics and the browser check them with this one pattern, so it lives on the protocol floor.

/** Accepts the ids the store makes and nothing that could change a path or a query. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}
