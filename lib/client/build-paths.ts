// Addresses of one build, for the pages and the API calls about it (issue 11, point 9).

const seg = (s: string) => encodeURIComponent(s);
const filePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** The build's own page. */
export const buildPagePath = (projectId: string, buildId: string) => `/projects/${seg(projectId)}/builds/${seg(buildId)}`;

export const buildApiPath = (projectId: string, buildId: string) => `/api/projects/${seg(projectId)}/builds/${seg(buildId)}`;

/** One file of the build's output, as the viewer's JSON. */
export const buildFilePath = (projectId: string, buildId: string, path: string) => `${buildApiPath(projectId, buildId)}/files/${filePath(path)}`;

/** "Raw": redirects to the file itself on the preview origin (a build's output, or the workspace). */
export const rawPath = (projectId: string, path: string, buildId?: string) =>
  buildId ? `${buildApiPath(projectId, buildId)}/raw/${filePath(path)}` : `/api/projects/${seg(projectId)}/raw/${filePath(path)}`;
