import { z } from 'zod';
import type { Db } from './db';
import { DEFAULT_VIEWER_PREFERENCES, VIEWER_LEVEL_MAX, VIEWER_LEVEL_MIN, VIEWER_SCALING_MODES, type UserPreferences, type ViewerPreferences } from '../protocol/preferences';

// Per-user preferences, one JSON row per kind ('viewer'). Read on every viewer load, written when the
// user changes a setting; what is stored was checked by the same schema on the way in, and is checked
// again on the way out, so a value an older or newer version wrote never reaches a viewer unchecked.

const level = (what: string) =>
  z
    .number({ error: `${what} is a whole number from ${VIEWER_LEVEL_MIN} to ${VIEWER_LEVEL_MAX}.` })
    .int(`${what} is a whole number from ${VIEWER_LEVEL_MIN} to ${VIEWER_LEVEL_MAX}.`)
    .min(VIEWER_LEVEL_MIN, `${what} is a whole number from ${VIEWER_LEVEL_MIN} to ${VIEWER_LEVEL_MAX}.`)
    .max(VIEWER_LEVEL_MAX, `${what} is a whole number from ${VIEWER_LEVEL_MIN} to ${VIEWER_LEVEL_MAX}.`);

/** "a", "b" or "c" */
const quotedChoice = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ').replace(/, ([^,]*)$/, ' or $1');

/** A change to the viewer's preferences: any of the fields, nothing else. */
export const viewerPreferencesChange = z
  .object({
    scaling: z.enum(VIEWER_SCALING_MODES, { error: `scaling is ${quotedChoice(VIEWER_SCALING_MODES)}.` }).optional(),
    quality: level('quality').optional(),
    compression: level('compression').optional(),
  })
  .strict();

/** The body of PUT /api/preferences: the kinds to change, each a partial change (what is left out keeps its value). */
export const preferencesChange = z
  .object({ viewer: viewerPreferencesChange.optional() })
  .strict();

export type PreferencesChange = z.infer<typeof preferencesChange>;

/** A stored value, field by field: what no longer passes falls back to its default. */
function storedViewer(json: string | undefined): ViewerPreferences {
  if (json === undefined) return { ...DEFAULT_VIEWER_PREFERENCES };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ...DEFAULT_VIEWER_PREFERENCES };
  }
  const out: ViewerPreferences = { ...DEFAULT_VIEWER_PREFERENCES };
  const shape = viewerPreferencesChange.shape;
  const fields = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  for (const key of Object.keys(out) as (keyof ViewerPreferences)[]) {
    const r = shape[key].safeParse(fields[key]);
    if (r.success && r.data !== undefined) (out as Record<string, unknown>)[key] = r.data;
  }
  return out;
}

export function createPreferences(db: Db) {
  const read = async (userId: string, name: string) =>
    (await db.selectFrom('user_preferences').select('value').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst())?.value;

  return {
    /** Everything a user has set, defaults where they have set nothing. */
    async get(userId: string): Promise<UserPreferences> {
      return { viewer: storedViewer(await read(userId, 'viewer')) };
    },
    /** Applies a checked change and returns the whole result. Last write wins per field. */
    async change(userId: string, change: PreferencesChange): Promise<UserPreferences> {
      const current = await this.get(userId);
      if (!change.viewer) return current;
      const viewer: ViewerPreferences = { ...current.viewer, ...stripUndefined(change.viewer) };
      const row = { user_id: userId, name: 'viewer', value: JSON.stringify(viewer), updated_at: Date.now() };
      await db
        .insertInto('user_preferences')
        .values(row)
        .onConflict((oc) => oc.columns(['user_id', 'name']).doUpdateSet({ value: row.value, updated_at: row.updated_at }))
        .execute();
      return { ...current, viewer };
    },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type Preferences = ReturnType<typeof createPreferences>;
