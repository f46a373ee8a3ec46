// The directory view built in slices (hub/directory-view.ts reloads it so) is the view built at
// once, and lets the event loop turn while it is built.
import { describe, expect, it } from 'vitest';
import { syntheticDistrict } from '../../loadtest/district.ts';
import { BUILD_SLICE, buildDirectory, buildDirectoryInSlices, type DirectoryRecords } from './build.ts';
import { directoryRecordsFrom, prepareImport } from './import.ts';

/** A district of about 2,800 people, as a node loads it, with one guardian blocked. */
function records(): DirectoryRecords {
  const { bundle } = syntheticDistrict({ schools: 6, classesPerSchool: 6, studentsPerClass: 25, subjectsPerClass: 2, guardiansPerStudent: 2 });
  const child = bundle.persons.find((p) => (p.responsibles ?? []).length > 0)!;
  return directoryRecordsFrom(prepareImport(bundle).rows, [{ guardianId: child.responsibles![0]!.person.id, childId: child.id }]);
}

describe('the directory built in slices', () => {
  it('is the view built at once', async () => {
    const r = records();
    const whole = buildDirectory(r, '2026-12-06');
    const sliced = await buildDirectoryInSlices(r, '2026-12-06');
    expect(whole.persons.size).toBeGreaterThan(BUILD_SLICE);
    // Every field, the maps and sets inside included; only the node-local version differs.
    expect({ ...sliced, version: 0 }).toEqual({ ...whole, version: 0 });
  });

  it('lets the event loop turn between slices', async () => {
    const r = records();
    let done = false;
    const turns: boolean[] = [];
    const watch = () => {
      turns.push(done);
      if (!done) setImmediate(watch);
    };
    setImmediate(watch);
    await buildDirectoryInSlices(r, '2026-12-06');
    done = true;
    // Records in all: persons twice, groups, placements, duties, activities, groups again, persons again.
    expect(turns.filter((d) => !d).length).toBeGreaterThanOrEqual(2);
  });
});
