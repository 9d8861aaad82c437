// What the viewer says when it shows a desktop other than the one this browser last showed for the
// session (components/desktop-notice.tsx): when the previous one ended, in the browser's local time, with
// the day when that was not today.

export function endedSentence(endedAt: number | null, now = Date.now(), locale?: string): string {
  if (endedAt === null) return 'This is a new desktop; the previous one has ended.';
  const ended = new Date(endedAt);
  const time = ended.toLocaleTimeString(locale ?? [], { hour: '2-digit', minute: '2-digit' });
  const sameDay = ended.toDateString() === new Date(now).toDateString();
  const day = sameDay ? '' : ` on ${ended.toLocaleDateString(locale ?? [], { day: 'numeric', month: 'short' })}`;
  return `This is a new desktop; the previous one ended at ${time}${day}.`;
}
