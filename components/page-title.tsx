import { titleOf } from '@/lib/client/page-title';

/**
 * The tab's title for a page that learns its name from the API: `<PageTitle parts={[project.name]} />`
 * gives "bakery · Portico"; `parts={['Build 3f2a1c9e', project.name]}` gives "Build 3f2a1c9e · bakery · Portico".
 * React 19 hoists the <title> into <head> and removes it when this unmounts. Pages that render one must not
 * also set a metadata title: two <title> elements race, and whichever mounts last wins (vercel/next.js#82037).
 */
export function PageTitle({ parts }: { parts: readonly (string | null | undefined)[] }) {
  return <title>{titleOf(parts)}</title>;
}
