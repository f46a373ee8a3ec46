import postgres from 'postgres';
import { migrate } from '/work/main/storage/migrate.ts';
const sql = postgres('postgres://postgres@127.0.0.1:5432/explain1', { max: 2, onnotice: () => {} });
await migrate(sql);
await sql`insert into conversations (id, created_by, last_seq) select 'c'||i, 'p', 0 from generate_series(1,1000) i`.catch(e=>console.log('conv', e.message));
