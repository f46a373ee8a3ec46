// The lists a person reads, on a district's tables (loadtest/scenarios/lists.ts), on their own:
//   npm run bench:lists [-- --rows 500000 --calls 8]
// A fresh database on the machine's PostgreSQL (or an embedded one), dropped at the end.
import { benchDatabase } from './lib/database.ts';
import { measureLists, renderLists } from './scenarios/lists.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
};

const db = await benchDatabase();
try {
  console.error(`[lists] ${db.server}, ${db.version}`);
  const r = await measureLists(db.url, { rows: arg('rows', 500_000), calls: arg('calls', 8) });
  console.log(renderLists(r));
  console.log(JSON.stringify(r));
} finally {
  await db.drop();
}
process.exit(0);
