import * as hub from './hub';
import * as measure from './measure';

// The load client: a process of its own (pinned to core 1 by the orchestrator) that runs one measurement
// at a time on request over the IPC channel and answers with its result.

type Request = { id: number; task: keyof typeof tasks; args: unknown[] };

const tasks = {
  roundTrip: measure.roundTrip,
  throughput: measure.throughput,
  upgrades: measure.upgrades,
  stockTickets: measure.stockTickets,
  openIdle: measure.openIdle,
  closeIdle: measure.closeIdle,
  hubOpen: hub.hubOpen,
  hubEmit: hub.hubEmit,
  hubClose: hub.hubClose,
};

process.on('message', async (msg: Request) => {
  try {
    const result = await (tasks[msg.task] as (...a: unknown[]) => Promise<unknown>)(...msg.args);
    process.send!({ id: msg.id, ok: true, result });
  } catch (err) {
    process.send!({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
