// `npm run loadtest:tokens -- --persons N --out DIR`: a synthetic district of about N people
// for the k6 scenarios. Writes DIR/bundle.json (import it through POST /api/v1/directory/import)
// and DIR/tokens.json (who is who, with a token each, minted with HUB_JWT_SECRET or --secret
// as the portal would). Options: --secret S, --issuer I, --audience A, --ttl SECONDS.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { mintToken } from '../hub/auth/mint.ts';
import { guardiansOf, ids, sizeForPersons, subjectTeacher, syntheticDistrict } from './district.ts';

export interface TokenFile {
  issuer: string;
  audience: string;
  expiresAt: string;
  districtId: string;
  schoolIds: string[];
  hoo: { id: string; token: string };
  leaders: { id: string; token: string; schoolId: string }[];
  mentors: { id: string; token: string; schoolId: string; groupId: string }[];
  teachers: { id: string; token: string; schoolId: string; groupIds: string[] }[];
  /** Each guardian with the child's mentor, whom the message function lets them write to. */
  guardians: { id: string; token: string; schoolId: string; childId: string; mentorId: string }[];
  students: { id: string; token: string; schoolId: string }[];
}

export interface TokenOptions {
  persons: number;
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export async function districtWithTokens(o: TokenOptions): Promise<{ bundle: unknown; tokens: TokenFile }> {
  const { bundle, plan } = syntheticDistrict(sizeForPersons(o.persons));
  const mint = (sub: string) => mintToken(o.secret, sub, { issuer: o.issuer, audience: o.audience, ttlSeconds: o.ttlSeconds });
  const tokens: TokenFile = {
    issuer: o.issuer, audience: o.audience, expiresAt: new Date(Date.now() + o.ttlSeconds * 1000).toISOString(),
    districtId: plan.districtId, schoolIds: plan.schools.map((s) => s.id),
    hoo: { id: plan.hoo, token: await mint(plan.hoo) },
    leaders: [], mentors: [], teachers: [], guardians: [], students: [],
  };
  for (const [s, school] of plan.schools.entries()) {
    tokens.leaders.push({ id: school.leader, token: await mint(school.leader), schoolId: school.id });
    const taught = new Map<string, string[]>();
    for (const [c, cls] of school.classes.entries()) {
      tokens.mentors.push({ id: cls.mentor, token: await mint(cls.mentor), schoolId: school.id, groupId: cls.id });
      cls.subjectGroups.forEach((g, k) => {
        const t = subjectTeacher(school, c, k);
        taught.set(t, [...(taught.get(t) ?? []), g]);
      });
      for (const st of cls.students) {
        tokens.students.push({ id: st, token: await mint(st), schoolId: school.id });
        for (const g of guardiansOf(plan, st)) {
          tokens.guardians.push({ id: g, token: await mint(g), schoolId: school.id, childId: st, mentorId: cls.mentor });
        }
      }
    }
    for (const [t, groupIds] of taught) tokens.teachers.push({ id: t, token: await mint(t), schoolId: ids.school(s), groupIds });
  }
  return { bundle, tokens };
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const persons = Number(arg(argv, '--persons') ?? 1000);
  const out = arg(argv, '--out') ?? 'loadtest/k6/data';
  const secret = arg(argv, '--secret') ?? process.env.HUB_JWT_SECRET;
  if (!secret || secret.length < 32) {
    console.error('tokens: give the hub\'s HUB_JWT_SECRET (at least 32 characters) in the environment or with --secret');
    process.exit(2);
  }
  if (!Number.isInteger(persons) || persons < 10) {
    console.error('tokens: --persons is a whole number, at least 10');
    process.exit(2);
  }
  const { bundle, tokens } = await districtWithTokens({
    persons, secret,
    issuer: arg(argv, '--issuer') ?? process.env.HUB_JWT_ISSUER ?? 'schoolhub-dev',
    audience: arg(argv, '--audience') ?? process.env.HUB_JWT_AUDIENCE ?? 'schoolhub',
    ttlSeconds: Number(arg(argv, '--ttl') ?? 8 * 3600),
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'bundle.json'), JSON.stringify(bundle));
  writeFileSync(path.join(out, 'tokens.json'), JSON.stringify(tokens));
  const count = 1 + tokens.leaders.length + tokens.mentors.length + tokens.teachers.length + tokens.guardians.length + tokens.students.length;
  console.log(`wrote ${path.join(out, 'bundle.json')} and ${path.join(out, 'tokens.json')}: ${tokens.schoolIds.length} schools, ${count} people with tokens (valid until ${tokens.expiresAt})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    console.error('tokens failed:', e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
