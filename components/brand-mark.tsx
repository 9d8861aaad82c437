import { Landmark } from 'lucide-react';

export function BrandMark({ size = 'md' }: { size?: 'md' | 'lg' }) {
  const box = size === 'lg' ? 'size-10 rounded-xl' : 'size-7 rounded-lg';
  const icon = size === 'lg' ? 'size-5' : 'size-4';
  return (
    <span aria-hidden className={`inline-grid shrink-0 place-items-center bg-accent text-accent-ink shadow-sm ${box}`}>
      <Landmark className={icon} strokeWidth={2.25} />
    </span>
  );
}
