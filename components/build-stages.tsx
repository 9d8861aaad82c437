import { Circle, CircleCheck, CircleSlash, CircleX, LoaderCircle, type LucideIcon } from 'lucide-react';
import { STAGES, type Stage } from '@/lib/protocol/build';
import type { StageView } from '@/lib/client/build-view';

const NAMES: Record<Stage, string> = { plan: 'Plan', generate: 'Generate', write: 'Write', verify: 'Verify' };

const LOOK: Record<StageView, { icon: LucideIcon; label: string; className: string; iconClass: string }> = {
  pending: { icon: Circle, label: 'Pending', className: 'text-muted', iconClass: 'text-line-strong' },
  started: { icon: LoaderCircle, label: 'Running', className: 'text-ink', iconClass: 'animate-spin text-accent' },
  done: { icon: CircleCheck, label: 'Done', className: 'text-ink', iconClass: 'text-emerald-600 dark:text-emerald-400' },
  failed: { icon: CircleX, label: 'Failed', className: 'text-danger', iconClass: 'text-danger' },
  // Stopped by a person, not broken: muted, never the danger colour.
  cancelled: { icon: CircleSlash, label: 'Cancelled', className: 'text-ink', iconClass: 'text-muted' },
};

/** plan → generate → write → verify, each with where it is. */
export function BuildStages({ stages }: { stages: Record<Stage, StageView> }) {
  return (
    <ol aria-label="Stages" className="grid grid-cols-2 gap-2 sm:grid-cols-4">
      {STAGES.map((stage, i) => {
        const look = LOOK[stages[stage]];
        const Icon = look.icon;
        return (
          <li
            key={stage}
            data-testid="build-stage"
            data-stage={stage}
            data-state={stages[stage]}
            className={`flex items-center gap-2 rounded-lg border border-line px-3 py-2 text-sm ${stages[stage] === 'started' ? 'bg-accent/5 border-accent/30' : 'bg-surface'}`}
          >
            <Icon aria-hidden className={`size-4 shrink-0 ${look.iconClass}`} />
            <span className="min-w-0">
              <span className={`block font-medium ${look.className}`}>
                <span className="sr-only">{i + 1}. </span>
                {NAMES[stage]}
              </span>
              <span className="block text-xs text-muted">{look.label}</span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
