// docs/DOMAIN.md §8: the forms of a development conference. The hub ships the three the source
// names; each field belongs to one side (the student, the guardians, the mentor), who alone
// writes it and, until the mentor closes the meeting, alone (with the mentor) reads it.
// Pure data: the rules and the views read it, nothing here does I/O. Labels are Swedish,
// the language of the schools; `id`s are stable and are what clients send back.

export type FormSide = 'student' | 'guardian' | 'mentor';
export const FORM_SIDES: readonly FormSide[] = ['student', 'guardian', 'mentor'];

export interface FormField {
  id: string;
  side: FormSide;
  label: string;
}

export interface FormTemplate {
  id: string;
  title: string;
  description: string;
  fields: readonly FormField[];
}

const f = (id: string, side: FormSide, label: string): FormField => ({ id, side, label });

export const FORM_TEMPLATES: readonly FormTemplate[] = [
  {
    id: 'iup',
    title: 'Individuell utvecklingsplan (IUP)',
    description: 'Var eleven står i sitt lärande och vad som ska göras för att eleven ska utvecklas.',
    fields: [
      f('student-strengths', 'student', 'Det här är jag bra på'),
      f('student-develop', 'student', 'Det här vill jag bli bättre på'),
      f('guardian-view', 'guardian', 'Så upplever vi skolarbetet hemifrån'),
      f('guardian-support', 'guardian', 'Så stöttar vi hemma'),
      f('mentor-status', 'mentor', 'Nuläge: kunskapsutveckling'),
      f('mentor-goals', 'mentor', 'Mål framåt'),
      f('mentor-actions', 'mentor', 'Så gör skolan, eleven och hemmet'),
    ],
  },
  {
    id: 'forward-plan',
    title: 'Framåtsyftande planering',
    description: 'Överenskommelser om vad eleven, skolan och hemmet gör fram till nästa samtal.',
    fields: [
      f('student-goals', 'student', 'Mina mål till nästa samtal'),
      f('guardian-goals', 'guardian', 'Det här vill vi att skolan och eleven fokuserar på'),
      f('mentor-plan', 'mentor', 'Planering och överenskommelser'),
      f('mentor-follow-up', 'mentor', 'Uppföljning: när och hur'),
    ],
  },
  {
    id: 'wellbeing',
    title: 'Trivselenkät',
    description: 'Hur eleven trivs och känner sig trygg i skolan.',
    fields: [
      f('student-thrive', 'student', 'Hur trivs du i skolan?'),
      f('student-safe', 'student', 'Känner du dig trygg i skolan? Var och när?'),
      f('student-friends', 'student', 'Har du någon att vara med på raster och luncher?'),
      f('guardian-thrive', 'guardian', 'Hur upplever ni att ert barn trivs?'),
      f('mentor-notes', 'mentor', 'Mentorns anteckningar'),
    ],
  },
];

const BY_ID: ReadonlyMap<string, FormTemplate> = new Map(FORM_TEMPLATES.map((t) => [t.id, t]));

export function formTemplate(id: string): FormTemplate | undefined {
  return BY_ID.get(id);
}
