-- The e-card lifecycle: requested -> produced -> delivered_to_region -> issued; refused, lost, cancelled
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never

SELECT create_org('C', NULL, 'central', 'Профсоюз', '1990-01-01');
SELECT create_org('R1', 'C', 'regional', 'Регион 1', '1991-01-01');
SELECT create_org('R2', 'C', 'regional', 'Регион 2', '1991-01-01');
SELECT create_org('T1', 'R1', 'territorial', 'Территориальная 1', '1995-01-01');
SELECT create_org('P1', 'T1', 'primary', 'Школа № 1', '2000-01-01', 'school', 'workers');
SELECT create_org('P2', 'R2', 'primary', 'Университет', '2000-01-01', 'higher', 'joint');
SELECT admit_member('M' || i, CASE WHEN i <= 3 THEN 'P1' ELSE 'P2' END, '2020-01-01', 'Фамилия' || i, 'Имя') > 0
  FROM generate_series(1, 5) i;

-- a request, then the moves in order, each kept with its date
SELECT request_card('M1', '2200000000000012', '2021-01-10');
SELECT move_card('2200000000000012', 'produced', '2021-02-01');
SELECT move_card('2200000000000012', 'delivered_to_region', '2021-03-01');
SELECT move_card('2200000000000012', 'issued', '2021-03-15');
SELECT on_date, from_state, to_state FROM card_event ORDER BY on_date;

-- forbidden moves name the card, its state and the move
SELECT move_card('2200000000000012', 'produced', '2021-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT move_card('2200000000000012', 'refused', '2021-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT move_card('2200000000000012', 'issued', '2021-04-01');
\echo :LAST_ERROR_SQLSTATE
UPDATE card SET state = 'requested' WHERE number = '2200000000000012';
\echo :LAST_ERROR_SQLSTATE
SELECT move_card('2200000000000012', 'stolen', '2021-04-01');
\echo :LAST_ERROR_SQLSTATE
-- a move is dated on or after the previous one
SELECT move_card('2200000000000012', 'lost', '2021-03-01');
\echo :LAST_ERROR_SQLSTATE
-- a wrong card number never gets in
SELECT request_card('M2', '2200000000000013', '2021-01-10');
\echo :LAST_ERROR_SQLSTATE

-- one card on its way or in use per member; lost allows a new request
SELECT request_card('M1', '2200000000000020', '2022-01-10');
\echo :LAST_ERROR_SQLSTATE
SELECT move_card('2200000000000012', 'lost', '2022-01-05');
SELECT request_card('M1', '2200000000000020', '2022-01-10');
-- refused from any state before issued
SELECT request_card('M2', '2200000000000038', '2022-01-10');
SELECT move_card('2200000000000038', 'produced', '2022-02-01');
SELECT move_card('2200000000000038', 'refused', '2022-02-02');
SELECT move_card('2200000000000038', 'requested', '2022-02-03');
\echo :LAST_ERROR_SQLSTATE
-- cancelled when the membership ends
SELECT leave('M1', '2023-01-01', 'own_wish');
SELECT number, state, state_on FROM card WHERE person_id = (SELECT id FROM person WHERE ext_id = 'M1') ORDER BY number;
-- cards go to members only
SELECT request_card('M1', '2200000000000046', '2023-06-01');
\echo :LAST_ERROR_SQLSTATE

-- bulk: every card of a region delivered_to_region -> issued in one statement
SELECT request_card('M3', '2200000000000053', '2022-01-10'),
	   request_card('M4', '2200000000000061', '2022-01-10'),
	   request_card('M5', '2200000000000079', '2022-01-10');
UPDATE card SET state = 'produced', state_on = '2022-02-01' WHERE state = 'requested';
UPDATE card SET state = 'delivered_to_region', state_on = '2022-03-01' WHERE state = 'produced';
SELECT move_cards('R2', 'delivered_to_region', 'issued', '2022-04-01') AS moved_in_r2;
SELECT p.ext_id, c.state FROM card c JOIN person p ON p.id = c.person_id
 WHERE c.state IN ('delivered_to_region', 'issued') ORDER BY p.ext_id;
SELECT move_cards('R1', 'issued', 'produced', '2022-04-01');
\echo :LAST_ERROR_SQLSTATE
-- the bulk move is logged like any other
SELECT to_state, count(*) FROM card_event WHERE on_date = '2022-04-01' GROUP BY to_state;

-- the report engine's member facts (unionreg.member_fact) kept up with every write above
SELECT count(*) AS member_fact_drift FROM unionreg.member_fact_drift();
