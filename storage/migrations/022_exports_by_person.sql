-- A person's export, and the legal holds of retention, find the person's rows through an index
-- instead of reading every row of the table and testing each (loadtest/RESULTS.md, "A
-- person's export by indexes"). Before, one guardian's export read every form and tested each
-- answer (4.2 s at 300,000 forms), every conference, every documentation and every directory
-- record.

-- The conferences about a student (mentor_id has its own, with the client key).
CREATE INDEX conferences_student ON conferences (student_id);

-- The plan conversations a person started with a teacher (the key leads with the teacher).
CREATE INDEX item_conversation_starters_person ON item_conversation_starters (person_id);

-- Who answered a form: answers is {fieldId: {value, by, at}}. Read with
-- `jsonb_path_query_array(answers, '$.*.by') ? person` (or `?|` for several), the same
-- expression, so that PostgreSQL uses this index.
CREATE INDEX forms_answered_by ON forms USING gin (jsonb_path_query_array(answers, '$.*.by'));

-- The directory records that name a person: duties and roles by their person, placements by
-- their child, groups by their members; and the replaced versions of the same.
CREATE INDEX directory_records_person ON directory_records ((data->'person'->>'id')) WHERE kind IN ('duty', 'role');
CREATE INDEX directory_records_child ON directory_records ((data->'child'->>'id')) WHERE kind = 'placement';
CREATE INDEX directory_records_members ON directory_records
  USING gin (jsonb_path_query_array(data, '$.groupMemberships[*].person.id')) WHERE kind = 'group';
CREATE INDEX directory_history_person ON directory_history ((data->'person'->>'id')) WHERE kind IN ('duty', 'role');
CREATE INDEX directory_history_child ON directory_history ((data->'child'->>'id')) WHERE kind = 'placement';
