-- Release 3: the changes since the previous release, generated from the models by
--   go test ./model -run TestMigrationsMatchModels -update
-- (with MINYI_TEST_MYSQL_URL set, so that both dialects are written). Do not edit by hand.

ALTER TABLE `binding_failures`
  ADD COLUMN `address_hash` varchar(64) NOT NULL DEFAULT '',
  ADD COLUMN `code_hash` varchar(64) NOT NULL DEFAULT '',
  ADD KEY `ix_binding_failures_address` (`address_hash`,`attempted_at`),
  ADD KEY `ix_binding_failures_code` (`code_hash`,`attempted_at`);

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

CREATE TABLE `result_objections` (
  `id` varchar(36) NOT NULL,
  `round_id` varchar(36) NOT NULL,
  `estate_id` varchar(36) NOT NULL,
  `household_id` varchar(36) NOT NULL,
  `text` text NOT NULL,
  `filed_by_kind` varchar(16) NOT NULL,
  `filed_by_id` varchar(36) NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `outcome` varchar(16) NOT NULL DEFAULT '',
  `explanation` text DEFAULT NULL,
  `resolved_by` varchar(36) NOT NULL DEFAULT '',
  `resolved_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_result_objections_round` (`round_id`,`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE `rounds`
  ADD COLUMN `electorate_basis` varchar(16) NOT NULL DEFAULT 'eligible',
  ADD COLUMN `late_sync_hours` bigint(20) NOT NULL DEFAULT 24,
  ADD COLUMN `notice_days` bigint(20) NOT NULL DEFAULT 7,
  ADD COLUMN `close_reason` varchar(500) NOT NULL DEFAULT '',
  ADD COLUMN `notice_ends_at` datetime(3) DEFAULT NULL,
  ADD COLUMN `finalized_at` datetime(3) DEFAULT NULL,
  ADD KEY `ix_rounds_status_notice` (`status`,`notice_ends_at`);

ALTER TABLE `users`
  ADD COLUMN `tokens_valid_after` datetime(3) DEFAULT NULL;
