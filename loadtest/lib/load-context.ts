// What every load scenario gets: where the servers are, how to mint tokens, and the plan of
// the synthetic district (rebuilt from its size, so only the size crosses the IPC channel).
import { mintToken } from '../../hub/auth/mint.ts';
import { ids, planDistrict, type DistrictPlan, type DistrictSize } from '../district.ts';
import { HubConn, inPool, sourceAddress } from './hub-client.ts';

export interface LoadSetup {
  hubWs: string;
  refWs: string | undefined;
  secret: string;
  issuer: string;
  audience: string;
  size: DistrictSize;
  /** Client source addresses 127.0.0.2 … 127.0.0.(1+spread). */
  spread: number;
  /** The bench database, for sampling what its sessions wait on during a phase. */
  databaseUrl?: string;
  /** Write the servers' CPU profiles of each measured window here. */
  profileDir?: string;
}

export interface LoadContext extends LoadSetup {
  plan: DistrictPlan;
  token(personId: string): Promise<string>;
}

export function loadContext(setup: LoadSetup): LoadContext {
  const cache = new Map<string, Promise<string>>();
  return {
    ...setup,
    plan: planDistrict(setup.size),
    token: (personId) => {
      let t = cache.get(personId);
      if (!t) cache.set(personId, (t = mintToken(setup.secret, personId, { issuer: setup.issuer, audience: setup.audience, ttlSeconds: 3600 })));
      return t;
    },
  };
}

/**
 * Connects and authenticates `people`, `concurrency` at a time, source addresses spread from
 * `addressOffset`; `prepare` sets each connection's handlers as soon as it is welcomed.
 * The connections come back in the order of `people`.
 */
export async function connectPeople(ctx: LoadContext, people: readonly string[], opts: { concurrency?: number; addressOffset?: number; prepare?: (c: HubConn, i: number) => void } = {}): Promise<HubConn[]> {
  const conns = new Array<HubConn>(people.length);
  await inPool(people, opts.concurrency ?? 200, async (personId, i) => {
    const c = await HubConn.connect(ctx.hubWs, personId, await ctx.token(personId), { localAddress: sourceAddress((opts.addressOffset ?? 0) + i, ctx.spread) });
    opts.prepare?.(c, i);
    conns[i] = c;
  });
  return conns;
}

/** Students of a school and the first guardian of each, interleaved: the readers of a school post. */
export function readersOf(plan: DistrictPlan, school: number): string[] {
  const out: string[] = [];
  for (const c of plan.schools[school]?.classes ?? []) for (const s of c.students) out.push(s, ids.guardian(s, 'a'));
  return out;
}

/** Readers of every school, school by school. */
export function allReaders(plan: DistrictPlan): { personId: string; school: number }[] {
  return plan.schools.flatMap((_, s) => readersOf(plan, s).map((personId) => ({ personId, school: s })));
}

/** A filler of `bytes` characters, so that frames have a realistic size. */
export function filler(bytes: number): string {
  const words = 'Hej! Påminnelse om utflykten på fredag, ta med matsäck och oömma kläder. ';
  return words.repeat(Math.ceil(bytes / words.length)).slice(0, Math.max(1, bytes));
}
