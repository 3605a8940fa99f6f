-- Release 3: the changes since the previous release, generated from the models by
--   go test ./model -run TestMigrationsMatchModels -update
-- (with MINYI_TEST_MYSQL_URL set, so that both dialects are written). Do not edit by hand.

CREATE TABLE `login_addresses` (`pair_hash` varchar(64),`last_success_at` datetime NOT NULL,PRIMARY KEY (`pair_hash`));

CREATE INDEX `ix_login_addresses_last` ON `login_addresses`(`last_success_at`);

ALTER TABLE `login_failures` ADD COLUMN `account_hash` varchar(64) NOT NULL DEFAULT "";

ALTER TABLE `login_failures` ADD COLUMN `address_hash` varchar(64) NOT NULL DEFAULT "";

CREATE INDEX `ix_login_failures_account` ON `login_failures`(`account_hash`,`failed_at`);

CREATE INDEX `ix_login_failures_address` ON `login_failures`(`address_hash`,`failed_at`);

ALTER TABLE `residents` ADD COLUMN `tokens_valid_after` datetime;

ALTER TABLE `users` ADD COLUMN `tokens_valid_after` datetime;
