// The feed composer as a member of staff fills it in (Swedish page): shared by the feed suites.
import type { Locator } from 'playwright-core';

/** Ticks the checkboxes named in `to` (audience and recipients), writes the title and text, and publishes. */
export async function publish(composer: Locator, post: { to: string[]; title: string; body: string }): Promise<void> {
  for (const name of post.to) await composer.getByRole('checkbox', { name }).check();
  await composer.getByLabel('Rubrik').fill(post.title);
  await composer.getByLabel('Text').fill(post.body);
  await composer.getByRole('button', { name: 'Publicera' }).click();
}
