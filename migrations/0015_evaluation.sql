-- 亩均效益评价 (issue 18): the evaluation scheme of the enterprises and the
-- annual assessment scheme of the platforms, data an administrator edits.
-- Every change is a new row (the history: who, when, why); nothing is
-- updated or deleted. With no row the shipped default is in force, shown as
-- version 1; stored versions start at 2. A version applies to the years from
-- from_year on (NULL: every year), so the scheme a year was evaluated by is
-- the newest version whose from_year is NULL or not after that year.
CREATE TABLE evaluation_scheme (
    kind       text NOT NULL CHECK (kind IN ('enterprise', 'assessment')),
    version    integer NOT NULL CHECK (version >= 2),
    from_year  integer CHECK (from_year BETWEEN 2000 AND 2100),
    scheme     jsonb NOT NULL,
    reason     text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 2000),
    created_by text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, version)
);
