-- Release 3: the changes since the previous release, generated from the models by
--   go test ./model -run TestMigrationsMatchModels -update
-- (with MINYI_TEST_MYSQL_URL set, so that both dialects are written). Do not edit by hand.

CREATE TABLE `login_addresses` (
  `pair_hash` varchar(64) NOT NULL,
  `last_success_at` datetime(3) NOT NULL,
  PRIMARY KEY (`pair_hash`),
  KEY `ix_login_addresses_last` (`last_success_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `login_failures`
  ADD COLUMN `account_hash` varchar(64) NOT NULL DEFAULT '',
  ADD COLUMN `address_hash` varchar(64) NOT NULL DEFAULT '',
  ADD KEY `ix_login_failures_account` (`account_hash`,`failed_at`),
  ADD KEY `ix_login_failures_address` (`address_hash`,`failed_at`);

ALTER TABLE `residents`
  ADD COLUMN `tokens_valid_after` datetime(3) DEFAULT NULL;

ALTER TABLE `users`
  ADD COLUMN `tokens_valid_after` datetime(3) DEFAULT NULL;
