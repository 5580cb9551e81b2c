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
