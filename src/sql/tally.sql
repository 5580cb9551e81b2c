-- ---------------------------------------------------------------------
-- unionreg.tally: the counters of one organization on one date (report engine).
-- ---------------------------------------------------------------------

CREATE TYPE unionreg.tally;
CREATE FUNCTION unionreg.tally_in(cstring) RETURNS unionreg.tally
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION unionreg.tally_out(unionreg.tally) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION unionreg.tally_recv(internal) RETURNS unionreg.tally
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION unionreg.tally_send(unionreg.tally) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE unionreg.tally (
	INPUT = unionreg.tally_in, OUTPUT = unionreg.tally_out,
	RECEIVE = unionreg.tally_recv, SEND = unionreg.tally_send,
	INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = main);
COMMENT ON TYPE unionreg.tally IS
	'Counters of one organization on one reporting date (members, statuses, flows, cards, primaries, ...); text form {members=3,working=2}; add with +, aggregate with sum()';
COMMENT ON FUNCTION unionreg.tally_in(cstring) IS 'tally input: {name=value, ...}, unnamed counters 0';
COMMENT ON FUNCTION unionreg.tally_out(unionreg.tally) IS 'tally output: the non-zero counters by name';
COMMENT ON FUNCTION unionreg.tally_recv(internal) IS 'tally binary input (version byte, counter count, counters)';
COMMENT ON FUNCTION unionreg.tally_send(unionreg.tally) IS 'tally binary output';

CREATE FUNCTION unionreg.tally_add(unionreg.tally, unionreg.tally) RETURNS unionreg.tally
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.tally_add(unionreg.tally, unionreg.tally) IS 'counter-wise sum of two tallies (22003 on overflow)';
CREATE OPERATOR unionreg.+ (LEFTARG = unionreg.tally, RIGHTARG = unionreg.tally,
	FUNCTION = unionreg.tally_add, COMMUTATOR = OPERATOR(unionreg.+));
COMMENT ON OPERATOR unionreg.+ (unionreg.tally, unionreg.tally) IS 'counter-wise sum';
CREATE FUNCTION unionreg.tally_eq(unionreg.tally, unionreg.tally) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.tally_eq(unionreg.tally, unionreg.tally) IS 'every counter equal';
CREATE OPERATOR unionreg.= (LEFTARG = unionreg.tally, RIGHTARG = unionreg.tally,
	FUNCTION = unionreg.tally_eq, COMMUTATOR = OPERATOR(unionreg.=));
COMMENT ON OPERATOR unionreg.= (unionreg.tally, unionreg.tally) IS 'every counter equal';

CREATE FUNCTION unionreg.tally_get(unionreg.tally, text) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.tally_get(unionreg.tally, text) IS 'one counter by name (22023 for an unknown name)';
CREATE OPERATOR unionreg.-> (LEFTARG = unionreg.tally, RIGHTARG = text, FUNCTION = unionreg.tally_get);
COMMENT ON OPERATOR unionreg.-> (unionreg.tally, text) IS 'one counter by name: t -> ''members''';
CREATE FUNCTION unionreg.tally_of(text, bigint) RETURNS unionreg.tally
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.tally_of(text, bigint) IS 'a tally with one counter set';
CREATE FUNCTION unionreg.tally_counters(OUT idx int, OUT name text) RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.tally_counters() IS 'the counters a tally holds, in order';

CREATE FUNCTION unionreg.tally_sum_accum(internal, unionreg.tally) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.tally_sum_accum(internal, unionreg.tally) IS 'internal: sum(tally) transition';
CREATE FUNCTION unionreg.tally_sum_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.tally_sum_combine(internal, internal) IS 'internal: sum(tally) combine (parallel workers)';
CREATE FUNCTION unionreg.tally_sum_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.tally_sum_serialize(internal) IS 'internal: sum(tally) state to bytes';
CREATE FUNCTION unionreg.tally_sum_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.tally_sum_deserialize(bytea, internal) IS 'internal: sum(tally) state from bytes';
CREATE FUNCTION unionreg.tally_sum_final(internal) RETURNS unionreg.tally
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.tally_sum_final(internal) IS 'internal: sum(tally) result';
CREATE AGGREGATE unionreg.sum(unionreg.tally) (
	SFUNC = unionreg.tally_sum_accum, STYPE = internal, SSPACE = 336,
	COMBINEFUNC = unionreg.tally_sum_combine,
	SERIALFUNC = unionreg.tally_sum_serialize, DESERIALFUNC = unionreg.tally_sum_deserialize,
	FINALFUNC = unionreg.tally_sum_final, PARALLEL = SAFE);
COMMENT ON AGGREGATE unionreg.sum(unionreg.tally) IS 'counter-wise sum of tallies; parallel safe';

CREATE FUNCTION unionreg.member_tally(
	as_of date, period_start date, joined_on date, left_on date, left_reason text,
	transfer_in boolean, admitted_online boolean, status text, pedagogical boolean, "position" text,
	full_time boolean, birth_date date, card_state text, virtual_card_on date, profcards_on date DEFAULT NULL,
	card_requested_in_period boolean DEFAULT false)
RETURNS unionreg.tally
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.member_tally(date, date, date, date, text, boolean, boolean, text, boolean, text, boolean, date, text, date, date, boolean) IS
	'What one membership period contributes to its organization''s tally as of D with the period (P, D]: members on D and on P, statuses, youth (under 35 on D), admissions, transfers in and out, leavers, cards, PROFCARDS; sum() it per organization';

CREATE FUNCTION unionreg.period_start(as_of date) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT CASE WHEN extract(month FROM as_of) = 1 AND extract(day FROM as_of) = 1
				THEN (as_of - interval '1 year')::date
				ELSE date_trunc('year', as_of)::date END
$$;
COMMENT ON FUNCTION unionreg.period_start(date) IS
	'P, the start of the reporting period (P, D]: the last 1 January before D (for D = 1 January, one year before)';

CREATE FUNCTION unionreg.member_tallies(p_as_of date, p_orgs bigint[] DEFAULT NULL)
RETURNS TABLE (org_id bigint, tally unionreg.tally)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	SELECT * FROM unionreg._member_pass(p_as_of, p_orgs)
$$;
COMMENT ON FUNCTION unionreg.member_tallies(date, bigint[]) IS
	'One pass over membership as of D (the report engine''s, in C): the tally of every primary organization, or of the given ones (members on D and on P, statuses, flows over (P, D], cards on D); the administrator''s, as it counts every member whatever the caller''s subtree';
