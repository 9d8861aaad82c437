// What a user's preferences look like on the wire (GET / PUT /api/preferences). The viewer's are the
// only ones so far: how the desktop is scaled and the encoding it asks the VM for, remembered per user on
// the server so they follow the user from browser to browser.

/** fit: the whole desktop scaled into the window; actual: 1:1 with scrollbars; remote: the VM's desktop takes the window's size. */
export const VIEWER_SCALING_MODES = ['fit', 'actual', 'remote'] as const;
export type ViewerScaling = (typeof VIEWER_SCALING_MODES)[number];

/** noVNC's `qualityLevel` / `compressionLevel`: integers 0–9 (the Tight encoding's JPEG quality and zlib level). */
export const VIEWER_LEVEL_MIN = 0;
export const VIEWER_LEVEL_MAX = 9;

export type ViewerPreferences = {
  scaling: ViewerScaling;
  quality: number;
  compression: number;
};

/** noVNC's own defaults (quality 6, compression 2), and the fit the viewer has always had. */
export const DEFAULT_VIEWER_PREFERENCES: ViewerPreferences = Object.freeze({ scaling: 'fit', quality: 6, compression: 2 });

export type UserPreferences = { viewer: ViewerPreferences };
