// Posts the feed tests need in numbers: a class's letters home.
import type { TestClient } from './client.ts';

/**
 * Posts `n` letters from Björkskolan's teacher (`teacher`, p-teacher-bj) to the guardians of
 * Svenska 4 (g-bj-sv4), one after the other: titled "<title> 0" and on, client keys "<key>0" and on.
 */
export async function postLetters(teacher: TestClient, n: number, title: string, key: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    await teacher.ok('post.create', {
      schoolId: 's-bjorkskolan', title: `${title} ${i}`, body: '…', clientKey: `${key}${i}`,
      audience: { targets: [{ kind: 'group', groupId: 'g-bj-sv4' }], recipients: { guardians: true } },
    });
  }
}
