// The in-memory view of the directory: who teaches, mentors and guards whom, right now.
// Built from the imported records (hub/directory/build.ts); every rights question is
// answered from here without I/O. Replaced as a whole when an import lands.

export type GroupKind = 'teaching' | 'mentor' | 'preschool';
export type StaffRole = 'teacher' | 'school_leader' | 'school_admin' | 'reader';
export type Role = StaffRole | 'mentor' | 'student' | 'guardian' | 'head_of_operations' | 'system_admin';

export interface Person {
  id: string;
  name: string;
  /** securityMarking other than "Ingen": never shown to other students or guardians. */
  protected: boolean;
}

export interface District {
  id: string;
  name: string;
  /** How many days records are kept (extensions.settings retentionDays); null: kept until deleted on request. */
  retentionDays: number | null;
}

export interface School {
  id: string;
  name: string;
  districtId: string | null;
  /** docs/DOMAIN.md §3 (*): teachers may message guardians directly through the message function. */
  teacherGuardianDirectMessages: boolean;
  /** Staff quiet hours (local clock times in `timezone`; start after end wraps midnight), or null. */
  quietHours: QuietHours | null;
  /** What a notification on a lock screen shows (docs/NOTIFICATIONS.md); `sender` unless the school chose. */
  lockScreen: 'full' | 'sender' | 'none';
  /** docs/DOMAIN.md §7: the school's assessment levels, lowest first; empty: free-text assessments only. */
  assessmentLevels: readonly string[];
}

export interface QuietHours {
  start: string;
  end: string;
  timezone: string;
}

export interface Group {
  id: string;
  name: string;
  kind: GroupKind;
  schoolId: string;
  owners: ReadonlySet<string>;
  members: ReadonlySet<string>;
}

export interface RoleGrant {
  role: Role;
  schoolId?: string;
  districtId?: string;
}

const EMPTY: ReadonlySet<string> = new Set();

export class Directory {
  constructor(
    readonly persons: ReadonlyMap<string, Person>,
    readonly districts: ReadonlyMap<string, District>,
    readonly schools: ReadonlyMap<string, School>,
    readonly groups: ReadonlyMap<string, Group>,
    /** person → school → staff roles held there (from duties and extension roles). */
    private readonly staff: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<StaffRole>>>,
    private readonly guardians: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly children: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly memberOf: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly ownerOf: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly headOfOps: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly sysAdmins: ReadonlySet<string>,
    /** A number that changes with every import; cached derivations key on it. */
    readonly version: number,
  ) {}

  static empty(): Directory {
    return new Directory(new Map(), new Map(), new Map(), new Map(), new Map(), new Map(), new Map(), new Map(), new Map(), new Map(), new Set(), 0);
  }

  person(id: string): Person | undefined {
    return this.persons.get(id);
  }

  guardiansOf(childId: string): ReadonlySet<string> {
    return this.guardians.get(childId) ?? EMPTY;
  }

  childrenOf(guardianId: string): ReadonlySet<string> {
    return this.children.get(guardianId) ?? EMPTY;
  }

  /** Groups the person is a member (student, child) of. */
  groupsOf(personId: string): ReadonlySet<string> {
    return this.memberOf.get(personId) ?? EMPTY;
  }

  /** Groups the person owns (teaches, mentors, runs as preschool teacher). */
  groupsOwnedBy(personId: string): ReadonlySet<string> {
    return this.ownerOf.get(personId) ?? EMPTY;
  }

  staffRolesAt(personId: string, schoolId: string): ReadonlySet<StaffRole> {
    return (this.staff.get(personId)?.get(schoolId) as ReadonlySet<StaffRole> | undefined) ?? (EMPTY as ReadonlySet<StaffRole>);
  }

  /** Schools where the person holds a staff role or owns a group. */
  staffSchoolsOf(personId: string): Set<string> {
    const out = new Set(this.staff.get(personId)?.keys() ?? []);
    for (const g of this.groupsOwnedBy(personId)) {
      const group = this.groups.get(g);
      if (group) out.add(group.schoolId);
    }
    return out;
  }

  isStaffAt(personId: string, schoolId: string): boolean {
    return this.staffSchoolsOf(personId).has(schoolId);
  }

  hasStaffRole(personId: string, schoolId: string, role: StaffRole): boolean {
    return this.staffRolesAt(personId, schoolId).has(role);
  }

  /** Is `a` owner of a group of kind `kind` in which `s` is a member? */
  ownsGroupWith(a: string, s: string, kinds: readonly GroupKind[]): boolean {
    const owned = this.groupsOwnedBy(a);
    if (owned.size === 0) return false;
    for (const g of this.groupsOf(s)) {
      if (!owned.has(g)) continue;
      const group = this.groups.get(g);
      if (group && kinds.includes(group.kind)) return true;
    }
    return false;
  }

  /** docs/DOMAIN.md: "teaches S" (teaching groups; preschool child groups count for preschool teachers). */
  teaches(a: string, s: string): boolean {
    return this.ownsGroupWith(a, s, ['teaching', 'preschool']);
  }

  /** docs/DOMAIN.md: "mentors S". */
  mentors(a: string, s: string): boolean {
    return this.ownsGroupWith(a, s, ['mentor']);
  }

  /** Schools a student (or child) belongs to, through the groups they are a member of. */
  schoolsOfStudent(s: string): Set<string> {
    const out = new Set<string>();
    for (const g of this.groupsOf(s)) {
      const group = this.groups.get(g);
      if (group) out.add(group.schoolId);
    }
    return out;
  }

  isStudent(personId: string): boolean {
    return this.groupsOf(personId).size > 0;
  }

  isGuardian(personId: string): boolean {
    return this.childrenOf(personId).size > 0;
  }

  headOfOperationsIn(personId: string): ReadonlySet<string> {
    return this.headOfOps.get(personId) ?? EMPTY;
  }

  isSystemAdmin(personId: string): boolean {
    return this.sysAdmins.has(personId);
  }

  schoolsOfDistrict(districtId: string): School[] {
    return [...this.schools.values()].filter((s) => s.districtId === districtId);
  }

  private staffIndex: Map<string, Set<string>> | undefined;

  /** Everyone holding a staff role at the school or owning a group there (built once per view). */
  staffOf(schoolId: string): ReadonlySet<string> {
    if (!this.staffIndex) {
      const index = new Map<string, Set<string>>();
      const add = (school: string, person: string) => {
        let set = index.get(school);
        if (!set) index.set(school, (set = new Set()));
        set.add(person);
      };
      for (const [person, bySchool] of this.staff) for (const school of bySchool.keys()) add(school, person);
      for (const group of this.groups.values()) for (const owner of group.owners) add(group.schoolId, owner);
      this.staffIndex = index;
    }
    return this.staffIndex.get(schoolId) ?? EMPTY;
  }

  /** Every role the person holds, for `welcome.user.roles`. */
  rolesOf(personId: string): RoleGrant[] {
    const out: RoleGrant[] = [];
    for (const [schoolId, roles] of this.staff.get(personId) ?? []) {
      for (const role of roles) out.push({ role, schoolId });
    }
    const mentorAt = new Set<string>();
    for (const g of this.groupsOwnedBy(personId)) {
      const group = this.groups.get(g);
      if (group?.kind === 'mentor') mentorAt.add(group.schoolId);
    }
    for (const schoolId of mentorAt) out.push({ role: 'mentor', schoolId });
    for (const schoolId of this.schoolsOfStudent(personId)) out.push({ role: 'student', schoolId });
    if (this.isGuardian(personId)) out.push({ role: 'guardian' });
    for (const districtId of this.headOfOperationsIn(personId)) out.push({ role: 'head_of_operations', districtId });
    if (this.isSystemAdmin(personId)) out.push({ role: 'system_admin' });
    return out;
  }
}
