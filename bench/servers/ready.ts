// What every Node server of the bench does once it listens: say so on stdout (the orchestrator waits for
// the line), and on SIGUSR2 collect garbage and say so, so that memory is read with only live objects in
// the heap (the processes run with --expose-gc).

export function announceReady(port: number): void {
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    process.stdout.write(`GC ${Date.now()}\n`);
  });
  process.stdout.write(`READY ${port}\n`);
}
