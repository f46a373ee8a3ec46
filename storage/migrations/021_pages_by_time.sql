-- Every list read by keys looks through the newest rows first, by a time index, before it asks
-- the keys' index (storage/rows.ts pageByKeys): a reader who may see much, such as a school's
-- reader or admins, then finds a page among the newest 500 rows instead of sorting every row
-- the keys meet. posts, mailings, items and conferences have had this index from the start.
CREATE INDEX feedback_created ON feedback (created_at DESC, id DESC);
CREATE INDEX assessments_created ON assessments (created_at DESC, id DESC);
CREATE INDEX forms_created ON forms (created_at DESC, id DESC);
CREATE INDEX documentation_created ON documentation (created_at DESC, id DESC);
