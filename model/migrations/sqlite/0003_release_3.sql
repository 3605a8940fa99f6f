-- Release 3: the changes since the previous release, generated from the models by
--   go test ./model -run TestMigrationsMatchModels -update
-- (with MINYI_TEST_MYSQL_URL set, so that both dialects are written). Do not edit by hand.

CREATE TABLE `notice_snapshots` (`round_id` varchar(36),`taken_at` datetime NOT NULL,`households` integer NOT NULL DEFAULT 0,`tally_json` mediumtext NOT NULL,PRIMARY KEY (`round_id`));

ALTER TABLE `objection_events` ADD COLUMN `public_summary` varchar(200) NOT NULL DEFAULT "";

ALTER TABLE `objections` ADD COLUMN `public_summary` varchar(200) NOT NULL DEFAULT "";
