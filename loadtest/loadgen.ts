// The load generator, a child process of the bench pinned to its own CPU: runs one scenario
// per 'run' message against the servers and answers with its result. Server stats come
// through the orchestrator (lib/control.ts).
import { handleRpcAnswer, progress, setProfileDir } from './lib/control.ts';
import type { ToLoadgen, FromLoadgen } from './lib/ipc.ts';
import { loadContext, type LoadContext, type LoadSetup } from './lib/load-context.ts';
import { fanoutHub, fanoutRef, type FanoutParams } from './scenarios/fanout.ts';
import { chat, type ChatParams } from './scenarios/chat.ts';
import { idle, type IdleParams } from './scenarios/idle.ts';
import { storm, type StormParams } from './scenarios/storm.ts';
import { readStats, type ReadStatsParams } from './scenarios/readstats.ts';
import { postsHub, postsRef, type PostsParams } from './scenarios/posts.ts';

type Scenario = (ctx: LoadContext, params: never) => Promise<unknown>;

const SCENARIOS: Record<string, Scenario> = {
  'fanout-hub': (ctx, p: FanoutParams) => fanoutHub(ctx, p),
  'fanout-ref': (ctx, p: FanoutParams & { sample: string; offsets: number[] }) => fanoutRef(ctx, p, p.sample, p.offsets),
  chat: (ctx, p: ChatParams) => chat(ctx, p),
  idle: (ctx, p: IdleParams) => idle(ctx, p),
  storm: (ctx, p: StormParams) => storm(ctx, p),
  readstats: (ctx, p: ReadStatsParams) => readStats(ctx, p),
  'posts-hub': (ctx, p: PostsParams) => postsHub(ctx, p),
  'posts-ref': (ctx, p: PostsParams & { frameBytes: number }) => postsRef(ctx, p, p.frameBytes),
};

function send(msg: FromLoadgen): void {
  process.send?.(msg);
}

let ctx: LoadContext | undefined;

process.on('disconnect', () => process.exit(1));
process.on('message', (raw) => {
  const msg = raw as ToLoadgen | { type: 'setup'; setup: LoadSetup };
  if (msg.type === 'setup') {
    ctx = loadContext(msg.setup);
    setProfileDir(msg.setup.profileDir);
    return;
  }
  if (handleRpcAnswer(msg)) return;
  if (msg.type !== 'run') return;
  const run = SCENARIOS[msg.scenario];
  if (!ctx || !run) {
    send({ type: 'failed', message: `cannot run ${msg.scenario}` });
    return;
  }
  run(ctx, msg.params as never).then(
    (result) => send({ type: 'result', result }),
    (e: unknown) => send({ type: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
progress('load generator ready');
