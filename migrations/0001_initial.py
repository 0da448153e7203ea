"""Create every table of the first release and seed the default stakeholder groups.

The statements were generated from the models of this release by scripts/schema_sql.py
and are kept here verbatim, so this migration builds the same schema after the models
change. Later changes to the schema belong in new migrations.
"""

import json

import peewee

SQLITE = ['CREATE TABLE "plan" ("id" INTEGER NOT NULL PRIMARY KEY, "lea_name" VARCHAR(200) NOT NULL, '
 '"lea_state" VARCHAR(2) NOT NULL, "lea_schools" INTEGER, "lea_students" INTEGER, "time_zone" '
 'VARCHAR(64) NOT NULL, "title" VARCHAR(300) NOT NULL, "school_years" VARCHAR(100) NOT NULL, '
 '"starts_on" DATE NOT NULL, "ends_on" DATE NOT NULL, "data_as_of" DATE, "stakeholder_engagement" '
 'TEXT NOT NULL, "technical_assistance" TEXT NOT NULL, "created_at" DATETIME NOT NULL)',
 'CREATE TABLE "person" ("id" INTEGER NOT NULL PRIMARY KEY, "plan_id" INTEGER NOT NULL, "key" '
 'VARCHAR(100) NOT NULL, "name" VARCHAR(200) NOT NULL, "title" VARCHAR(200) NOT NULL, "email" '
 'VARCHAR(254) NOT NULL, FOREIGN KEY ("plan_id") REFERENCES "plan" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "person_plan_id" ON "person" ("plan_id")',
 'CREATE UNIQUE INDEX "person_plan_id_key" ON "person" ("plan_id", "key")',
 'CREATE TABLE "monitoring_period" ("id" INTEGER NOT NULL PRIMARY KEY, "plan_id" INTEGER NOT NULL, '
 '"key" VARCHAR(50) NOT NULL, "label" VARCHAR(200) NOT NULL, "starts_on" DATE NOT NULL, "ends_on" '
 'DATE NOT NULL, "position" INTEGER NOT NULL, "state" VARCHAR(20) NOT NULL, "closed_at" DATETIME, '
 'FOREIGN KEY ("plan_id") REFERENCES "plan" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "monitoring_period_plan_id" ON "monitoring_period" ("plan_id")',
 'CREATE UNIQUE INDEX "monitoring_period_plan_id_key" ON "monitoring_period" ("plan_id", "key")',
 'CREATE TABLE "strategy" ("id" INTEGER NOT NULL PRIMARY KEY, "plan_id" INTEGER NOT NULL, "key" '
 'VARCHAR(100) NOT NULL, "position" INTEGER NOT NULL, "name" TEXT NOT NULL, "measures_of_success" '
 'TEXT NOT NULL, "person_responsible_id" INTEGER, "long_term_goal" TEXT NOT NULL, "starts_on" '
 'DATE, "ends_on" DATE, "timing" TEXT NOT NULL, "stakeholder_engagement" TEXT NOT NULL, '
 '"course_corrections" TEXT NOT NULL, FOREIGN KEY ("plan_id") REFERENCES "plan" ("id") ON DELETE '
 'CASCADE, FOREIGN KEY ("person_responsible_id") REFERENCES "person" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "strategy_plan_id" ON "strategy" ("plan_id")',
 'CREATE INDEX "strategy_person_responsible_id" ON "strategy" ("person_responsible_id")',
 'CREATE UNIQUE INDEX "strategy_plan_id_key" ON "strategy" ("plan_id", "key")',
 'CREATE TABLE "leading_indicator" ("id" INTEGER NOT NULL PRIMARY KEY, "strategy_id" INTEGER NOT '
 'NULL, "key" VARCHAR(100) NOT NULL, "position" INTEGER NOT NULL, "name" TEXT NOT NULL, "unit" '
 'VARCHAR(20) NOT NULL, "direction" VARCHAR(20) NOT NULL, "baseline_value" REAL, "baseline_as_of" '
 'DATE, "baseline_source" TEXT NOT NULL, "target_value" REAL, "target_by" DATE, '
 '"monitoring_frequency" TEXT NOT NULL, "evidence" TEXT NOT NULL, "on_track_when" TEXT NOT NULL, '
 '"responsible_id" INTEGER, FOREIGN KEY ("strategy_id") REFERENCES "strategy" ("id") ON DELETE '
 'CASCADE, FOREIGN KEY ("responsible_id") REFERENCES "person" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "leading_indicator_strategy_id" ON "leading_indicator" ("strategy_id")',
 'CREATE INDEX "leading_indicator_responsible_id" ON "leading_indicator" ("responsible_id")',
 'CREATE UNIQUE INDEX "leading_indicator_strategy_id_key" ON "leading_indicator" ("strategy_id", '
 '"key")',
 'CREATE TABLE "reflection" ("id" INTEGER NOT NULL PRIMARY KEY, "indicator_id" INTEGER NOT NULL, '
 '"period_id" INTEGER NOT NULL, "implemented" VARCHAR(20) NOT NULL, "what_went_wrong" TEXT NOT '
 'NULL, "evidence_of_implementation" TEXT NOT NULL, "factors" TEXT NOT NULL, '
 '"resources_sufficient" INTEGER, "realistic_to_measure" INTEGER, "revisit_course_corrections" '
 'TEXT NOT NULL, "course_correction" TEXT NOT NULL, "recorded_at" DATETIME NOT NULL, FOREIGN KEY '
 '("indicator_id") REFERENCES "leading_indicator" ("id") ON DELETE CASCADE, FOREIGN KEY '
 '("period_id") REFERENCES "monitoring_period" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "reflection_indicator_id" ON "reflection" ("indicator_id")',
 'CREATE INDEX "reflection_period_id" ON "reflection" ("period_id")',
 'CREATE UNIQUE INDEX "reflection_indicator_id_period_id" ON "reflection" ("indicator_id", '
 '"period_id")',
 'CREATE TABLE "benchmark" ("id" INTEGER NOT NULL PRIMARY KEY, "indicator_id" INTEGER NOT NULL, '
 '"period_id" INTEGER NOT NULL, "target" REAL NOT NULL, "description" TEXT NOT NULL, "position" '
 'INTEGER NOT NULL, "reflection_id" INTEGER, "superseded_by_id" INTEGER, "superseded_at" DATETIME, '
 '"created_at" DATETIME NOT NULL, FOREIGN KEY ("indicator_id") REFERENCES "leading_indicator" '
 '("id") ON DELETE CASCADE, FOREIGN KEY ("period_id") REFERENCES "monitoring_period" ("id") ON '
 'DELETE CASCADE, FOREIGN KEY ("reflection_id") REFERENCES "reflection" ("id") ON DELETE CASCADE, '
 'FOREIGN KEY ("superseded_by_id") REFERENCES "benchmark" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "benchmark_indicator_id" ON "benchmark" ("indicator_id")',
 'CREATE INDEX "benchmark_period_id" ON "benchmark" ("period_id")',
 'CREATE INDEX "benchmark_reflection_id" ON "benchmark" ("reflection_id")',
 'CREATE INDEX "benchmark_superseded_by_id" ON "benchmark" ("superseded_by_id")',
 'CREATE TABLE "check_in" ("id" INTEGER NOT NULL PRIMARY KEY, "indicator_id" INTEGER NOT NULL, '
 '"period_id" INTEGER NOT NULL, "implemented" VARCHAR(20) NOT NULL, "evidence" TEXT NOT NULL, '
 '"actual" REAL, "progress_notes" TEXT NOT NULL, "adjustments_needed" INTEGER NOT NULL, '
 '"recorded_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, FOREIGN KEY ("indicator_id") '
 'REFERENCES "leading_indicator" ("id") ON DELETE CASCADE, FOREIGN KEY ("period_id") REFERENCES '
 '"monitoring_period" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "check_in_indicator_id" ON "check_in" ("indicator_id")',
 'CREATE INDEX "check_in_period_id" ON "check_in" ("period_id")',
 'CREATE UNIQUE INDEX "check_in_indicator_id_period_id" ON "check_in" ("indicator_id", '
 '"period_id")',
 'CREATE TABLE "evidence_file" ("id" INTEGER NOT NULL PRIMARY KEY, "check_in_id" INTEGER NOT NULL, '
 '"original_name" VARCHAR(255) NOT NULL, "content_type" VARCHAR(100) NOT NULL, "size_bytes" '
 'INTEGER NOT NULL, "stored_name" VARCHAR(100) NOT NULL, "uploaded_at" DATETIME NOT NULL, FOREIGN '
 'KEY ("check_in_id") REFERENCES "check_in" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "evidence_file_check_in_id" ON "evidence_file" ("check_in_id")',
 'CREATE UNIQUE INDEX "evidence_file_stored_name" ON "evidence_file" ("stored_name")',
 'CREATE TABLE "staff_user" ("id" INTEGER NOT NULL PRIMARY KEY, "email" VARCHAR(254) NOT NULL, '
 '"name" VARCHAR(200) NOT NULL, "job_title" VARCHAR(200) NOT NULL, "role" VARCHAR(20) NOT NULL, '
 '"password_hash" VARCHAR(256) NOT NULL, "active" INTEGER NOT NULL, "person_id" INTEGER, '
 '"created_at" DATETIME NOT NULL, "last_sign_in_at" DATETIME, FOREIGN KEY ("person_id") REFERENCES '
 '"person" ("id") ON DELETE SET NULL)',
 'CREATE UNIQUE INDEX "staff_user_email" ON "staff_user" ("email")',
 'CREATE INDEX "staff_user_person_id" ON "staff_user" ("person_id")',
 'CREATE TABLE "stakeholder_group" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(50) NOT NULL, '
 '"label" VARCHAR(100) NOT NULL, "plural_label" VARCHAR(100) NOT NULL, "translations" TEXT NOT '
 'NULL, "position" INTEGER NOT NULL, "anonymous" INTEGER NOT NULL)',
 'CREATE UNIQUE INDEX "stakeholder_group_key" ON "stakeholder_group" ("key")',
 'CREATE TABLE "stakeholder" ("id" INTEGER NOT NULL PRIMARY KEY, "email" VARCHAR(254) NOT NULL, '
 '"name" VARCHAR(200) NOT NULL, "group_id" INTEGER NOT NULL, "school" VARCHAR(200) NOT NULL, '
 '"language" VARCHAR(10) NOT NULL, "show_name_to_staff" INTEGER NOT NULL, "notifications_enabled" '
 'INTEGER NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("group_id") REFERENCES '
 '"stakeholder_group" ("id"))',
 'CREATE UNIQUE INDEX "stakeholder_email" ON "stakeholder" ("email")',
 'CREATE INDEX "stakeholder_group_id" ON "stakeholder" ("group_id")',
 'CREATE TABLE "invitation" ("id" INTEGER NOT NULL PRIMARY KEY, "plan_id" INTEGER NOT NULL, '
 '"stakeholder_id" INTEGER NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "whole_plan" INTEGER NOT '
 'NULL, "created_at" DATETIME NOT NULL, "expires_at" DATETIME NOT NULL, "revoked_at" DATETIME, '
 '"first_used_at" DATETIME, "last_used_at" DATETIME, FOREIGN KEY ("plan_id") REFERENCES "plan" '
 '("id") ON DELETE CASCADE, FOREIGN KEY ("stakeholder_id") REFERENCES "stakeholder" ("id") ON '
 'DELETE CASCADE)',
 'CREATE INDEX "invitation_plan_id" ON "invitation" ("plan_id")',
 'CREATE INDEX "invitation_stakeholder_id" ON "invitation" ("stakeholder_id")',
 'CREATE UNIQUE INDEX "invitation_token_hash" ON "invitation" ("token_hash")',
 'CREATE TABLE "invitation_strategy" ("id" INTEGER NOT NULL PRIMARY KEY, "invitation_id" INTEGER '
 'NOT NULL, "strategy_id" INTEGER NOT NULL, FOREIGN KEY ("invitation_id") REFERENCES "invitation" '
 '("id") ON DELETE CASCADE, FOREIGN KEY ("strategy_id") REFERENCES "strategy" ("id") ON DELETE '
 'CASCADE)',
 'CREATE INDEX "invitation_strategy_invitation_id" ON "invitation_strategy" ("invitation_id")',
 'CREATE INDEX "invitation_strategy_strategy_id" ON "invitation_strategy" ("strategy_id")',
 'CREATE UNIQUE INDEX "invitation_strategy_invitation_id_strategy_id" ON "invitation_strategy" '
 '("invitation_id", "strategy_id")',
 'CREATE TABLE "thread" ("id" INTEGER NOT NULL PRIMARY KEY, "plan_id" INTEGER NOT NULL, '
 '"strategy_id" INTEGER NOT NULL, "benchmark_id" INTEGER, "period_id" INTEGER, "stakeholder_id" '
 'INTEGER NOT NULL, "state" VARCHAR(20) NOT NULL, "assigned_to_id" INTEGER, "outcome" VARCHAR(20), '
 '"outcome_note" TEXT NOT NULL, "closed_at" DATETIME, "closed_by_id" INTEGER, "created_at" '
 'DATETIME NOT NULL, "last_activity_at" DATETIME NOT NULL, FOREIGN KEY ("plan_id") REFERENCES '
 '"plan" ("id") ON DELETE CASCADE, FOREIGN KEY ("strategy_id") REFERENCES "strategy" ("id") ON '
 'DELETE CASCADE, FOREIGN KEY ("benchmark_id") REFERENCES "benchmark" ("id") ON DELETE CASCADE, '
 'FOREIGN KEY ("period_id") REFERENCES "monitoring_period" ("id") ON DELETE SET NULL, FOREIGN KEY '
 '("stakeholder_id") REFERENCES "stakeholder" ("id") ON DELETE CASCADE, FOREIGN KEY '
 '("assigned_to_id") REFERENCES "staff_user" ("id") ON DELETE SET NULL, FOREIGN KEY '
 '("closed_by_id") REFERENCES "staff_user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "thread_plan_id" ON "thread" ("plan_id")',
 'CREATE INDEX "thread_strategy_id" ON "thread" ("strategy_id")',
 'CREATE INDEX "thread_benchmark_id" ON "thread" ("benchmark_id")',
 'CREATE INDEX "thread_period_id" ON "thread" ("period_id")',
 'CREATE INDEX "thread_stakeholder_id" ON "thread" ("stakeholder_id")',
 'CREATE INDEX "thread_state" ON "thread" ("state")',
 'CREATE INDEX "thread_assigned_to_id" ON "thread" ("assigned_to_id")',
 'CREATE INDEX "thread_closed_by_id" ON "thread" ("closed_by_id")',
 'CREATE INDEX "thread_last_activity_at" ON "thread" ("last_activity_at")',
 'CREATE TABLE "comment" ("id" INTEGER NOT NULL PRIMARY KEY, "thread_id" INTEGER NOT NULL, '
 '"stakeholder_id" INTEGER, "staff_id" INTEGER, "body" TEXT NOT NULL, "language" VARCHAR(10) NOT '
 'NULL, "internal" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "edited_at" DATETIME, '
 '"withdrawn_at" DATETIME, "hidden_at" DATETIME, "hidden_reason" TEXT NOT NULL, "hidden_by_id" '
 'INTEGER, FOREIGN KEY ("thread_id") REFERENCES "thread" ("id") ON DELETE CASCADE, FOREIGN KEY '
 '("stakeholder_id") REFERENCES "stakeholder" ("id") ON DELETE CASCADE, FOREIGN KEY ("staff_id") '
 'REFERENCES "staff_user" ("id") ON DELETE SET NULL, FOREIGN KEY ("hidden_by_id") REFERENCES '
 '"staff_user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "comment_thread_id" ON "comment" ("thread_id")',
 'CREATE INDEX "comment_stakeholder_id" ON "comment" ("stakeholder_id")',
 'CREATE INDEX "comment_staff_id" ON "comment" ("staff_id")',
 'CREATE INDEX "comment_hidden_by_id" ON "comment" ("hidden_by_id")',
 'CREATE TABLE "input_summary" ("id" INTEGER NOT NULL PRIMARY KEY, "strategy_id" INTEGER NOT NULL, '
 '"period_id" INTEGER NOT NULL, "data" TEXT NOT NULL, "frozen_at" DATETIME NOT NULL, '
 '"frozen_by_id" INTEGER, FOREIGN KEY ("strategy_id") REFERENCES "strategy" ("id") ON DELETE '
 'CASCADE, FOREIGN KEY ("period_id") REFERENCES "monitoring_period" ("id") ON DELETE CASCADE, '
 'FOREIGN KEY ("frozen_by_id") REFERENCES "staff_user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "input_summary_strategy_id" ON "input_summary" ("strategy_id")',
 'CREATE INDEX "input_summary_period_id" ON "input_summary" ("period_id")',
 'CREATE INDEX "input_summary_frozen_by_id" ON "input_summary" ("frozen_by_id")',
 'CREATE UNIQUE INDEX "input_summary_strategy_id_period_id" ON "input_summary" ("strategy_id", '
 '"period_id")',
 'CREATE TABLE "outbox_message" ("id" INTEGER NOT NULL PRIMARY KEY, "recipient" VARCHAR(254) NOT '
 'NULL, "subject" VARCHAR(300) NOT NULL, "body_text" TEXT NOT NULL, "body_html" TEXT NOT NULL, '
 '"kind" VARCHAR(50) NOT NULL, "state" VARCHAR(20) NOT NULL, "attempts" INTEGER NOT NULL, '
 '"next_attempt_at" DATETIME NOT NULL, "last_error" TEXT NOT NULL, "created_at" DATETIME NOT NULL, '
 '"sent_at" DATETIME, "created_by_id" INTEGER, FOREIGN KEY ("created_by_id") REFERENCES '
 '"staff_user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "outbox_message_created_by_id" ON "outbox_message" ("created_by_id")',
 'CREATE INDEX "outbox_message_state_next_attempt_at" ON "outbox_message" ("state", '
 '"next_attempt_at")',
 'CREATE TABLE "audit_event" ("id" INTEGER NOT NULL PRIMARY KEY, "actor" VARCHAR(100) NOT NULL, '
 '"action" VARCHAR(100) NOT NULL, "object_type" VARCHAR(50) NOT NULL, "object_id" INTEGER, '
 '"created_at" DATETIME NOT NULL, "details" TEXT NOT NULL)',
 'CREATE INDEX "audit_event_action" ON "audit_event" ("action")']

POSTGRESQL = ['CREATE TABLE "plan" ("id" SERIAL NOT NULL PRIMARY KEY, "lea_name" VARCHAR(200) NOT NULL, '
 '"lea_state" VARCHAR(2) NOT NULL, "lea_schools" INTEGER, "lea_students" INTEGER, "time_zone" '
 'VARCHAR(64) NOT NULL, "title" VARCHAR(300) NOT NULL, "school_years" VARCHAR(100) NOT NULL, '
 '"starts_on" DATE NOT NULL, "ends_on" DATE NOT NULL, "data_as_of" DATE, "stakeholder_engagement" '
 'TEXT NOT NULL, "technical_assistance" TEXT NOT NULL, "created_at" TIMESTAMP NOT NULL)',
 'CREATE TABLE "person" ("id" SERIAL NOT NULL PRIMARY KEY, "plan_id" INTEGER NOT NULL, "key" '
 'VARCHAR(100) NOT NULL, "name" VARCHAR(200) NOT NULL, "title" VARCHAR(200) NOT NULL, "email" '
 'VARCHAR(254) NOT NULL, FOREIGN KEY ("plan_id") REFERENCES "plan" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "person_plan_id" ON "person" ("plan_id")',
 'CREATE UNIQUE INDEX "person_plan_id_key" ON "person" ("plan_id", "key")',
 'CREATE TABLE "monitoring_period" ("id" SERIAL NOT NULL PRIMARY KEY, "plan_id" INTEGER NOT NULL, '
 '"key" VARCHAR(50) NOT NULL, "label" VARCHAR(200) NOT NULL, "starts_on" DATE NOT NULL, "ends_on" '
 'DATE NOT NULL, "position" INTEGER NOT NULL, "state" VARCHAR(20) NOT NULL, "closed_at" TIMESTAMP, '
 'FOREIGN KEY ("plan_id") REFERENCES "plan" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "monitoring_period_plan_id" ON "monitoring_period" ("plan_id")',
 'CREATE UNIQUE INDEX "monitoring_period_plan_id_key" ON "monitoring_period" ("plan_id", "key")',
 'CREATE TABLE "strategy" ("id" SERIAL NOT NULL PRIMARY KEY, "plan_id" INTEGER NOT NULL, "key" '
 'VARCHAR(100) NOT NULL, "position" INTEGER NOT NULL, "name" TEXT NOT NULL, "measures_of_success" '
 'TEXT NOT NULL, "person_responsible_id" INTEGER, "long_term_goal" TEXT NOT NULL, "starts_on" '
 'DATE, "ends_on" DATE, "timing" TEXT NOT NULL, "stakeholder_engagement" TEXT NOT NULL, '
 '"course_corrections" TEXT NOT NULL, FOREIGN KEY ("plan_id") REFERENCES "plan" ("id") ON DELETE '
 'CASCADE, FOREIGN KEY ("person_responsible_id") REFERENCES "person" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "strategy_plan_id" ON "strategy" ("plan_id")',
 'CREATE INDEX "strategy_person_responsible_id" ON "strategy" ("person_responsible_id")',
 'CREATE UNIQUE INDEX "strategy_plan_id_key" ON "strategy" ("plan_id", "key")',
 'CREATE TABLE "leading_indicator" ("id" SERIAL NOT NULL PRIMARY KEY, "strategy_id" INTEGER NOT '
 'NULL, "key" VARCHAR(100) NOT NULL, "position" INTEGER NOT NULL, "name" TEXT NOT NULL, "unit" '
 'VARCHAR(20) NOT NULL, "direction" VARCHAR(20) NOT NULL, "baseline_value" REAL, "baseline_as_of" '
 'DATE, "baseline_source" TEXT NOT NULL, "target_value" REAL, "target_by" DATE, '
 '"monitoring_frequency" TEXT NOT NULL, "evidence" TEXT NOT NULL, "on_track_when" TEXT NOT NULL, '
 '"responsible_id" INTEGER, FOREIGN KEY ("strategy_id") REFERENCES "strategy" ("id") ON DELETE '
 'CASCADE, FOREIGN KEY ("responsible_id") REFERENCES "person" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "leading_indicator_strategy_id" ON "leading_indicator" ("strategy_id")',
 'CREATE INDEX "leading_indicator_responsible_id" ON "leading_indicator" ("responsible_id")',
 'CREATE UNIQUE INDEX "leading_indicator_strategy_id_key" ON "leading_indicator" ("strategy_id", '
 '"key")',
 'CREATE TABLE "reflection" ("id" SERIAL NOT NULL PRIMARY KEY, "indicator_id" INTEGER NOT NULL, '
 '"period_id" INTEGER NOT NULL, "implemented" VARCHAR(20) NOT NULL, "what_went_wrong" TEXT NOT '
 'NULL, "evidence_of_implementation" TEXT NOT NULL, "factors" TEXT NOT NULL, '
 '"resources_sufficient" BOOLEAN, "realistic_to_measure" BOOLEAN, "revisit_course_corrections" '
 'TEXT NOT NULL, "course_correction" TEXT NOT NULL, "recorded_at" TIMESTAMP NOT NULL, FOREIGN KEY '
 '("indicator_id") REFERENCES "leading_indicator" ("id") ON DELETE CASCADE, FOREIGN KEY '
 '("period_id") REFERENCES "monitoring_period" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "reflection_indicator_id" ON "reflection" ("indicator_id")',
 'CREATE INDEX "reflection_period_id" ON "reflection" ("period_id")',
 'CREATE UNIQUE INDEX "reflection_indicator_id_period_id" ON "reflection" ("indicator_id", '
 '"period_id")',
 'CREATE TABLE "benchmark" ("id" SERIAL NOT NULL PRIMARY KEY, "indicator_id" INTEGER NOT NULL, '
 '"period_id" INTEGER NOT NULL, "target" REAL NOT NULL, "description" TEXT NOT NULL, "position" '
 'INTEGER NOT NULL, "reflection_id" INTEGER, "superseded_by_id" INTEGER, "superseded_at" '
 'TIMESTAMP, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("indicator_id") REFERENCES '
 '"leading_indicator" ("id") ON DELETE CASCADE, FOREIGN KEY ("period_id") REFERENCES '
 '"monitoring_period" ("id") ON DELETE CASCADE, FOREIGN KEY ("reflection_id") REFERENCES '
 '"reflection" ("id") ON DELETE CASCADE, FOREIGN KEY ("superseded_by_id") REFERENCES "benchmark" '
 '("id") ON DELETE SET NULL)',
 'CREATE INDEX "benchmark_indicator_id" ON "benchmark" ("indicator_id")',
 'CREATE INDEX "benchmark_period_id" ON "benchmark" ("period_id")',
 'CREATE INDEX "benchmark_reflection_id" ON "benchmark" ("reflection_id")',
 'CREATE INDEX "benchmark_superseded_by_id" ON "benchmark" ("superseded_by_id")',
 'CREATE TABLE "check_in" ("id" SERIAL NOT NULL PRIMARY KEY, "indicator_id" INTEGER NOT NULL, '
 '"period_id" INTEGER NOT NULL, "implemented" VARCHAR(20) NOT NULL, "evidence" TEXT NOT NULL, '
 '"actual" REAL, "progress_notes" TEXT NOT NULL, "adjustments_needed" BOOLEAN NOT NULL, '
 '"recorded_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, FOREIGN KEY ("indicator_id") '
 'REFERENCES "leading_indicator" ("id") ON DELETE CASCADE, FOREIGN KEY ("period_id") REFERENCES '
 '"monitoring_period" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "check_in_indicator_id" ON "check_in" ("indicator_id")',
 'CREATE INDEX "check_in_period_id" ON "check_in" ("period_id")',
 'CREATE UNIQUE INDEX "check_in_indicator_id_period_id" ON "check_in" ("indicator_id", '
 '"period_id")',
 'CREATE TABLE "evidence_file" ("id" SERIAL NOT NULL PRIMARY KEY, "check_in_id" INTEGER NOT NULL, '
 '"original_name" VARCHAR(255) NOT NULL, "content_type" VARCHAR(100) NOT NULL, "size_bytes" '
 'INTEGER NOT NULL, "stored_name" VARCHAR(100) NOT NULL, "uploaded_at" TIMESTAMP NOT NULL, FOREIGN '
 'KEY ("check_in_id") REFERENCES "check_in" ("id") ON DELETE CASCADE)',
 'CREATE INDEX "evidence_file_check_in_id" ON "evidence_file" ("check_in_id")',
 'CREATE UNIQUE INDEX "evidence_file_stored_name" ON "evidence_file" ("stored_name")',
 'CREATE TABLE "staff_user" ("id" SERIAL NOT NULL PRIMARY KEY, "email" VARCHAR(254) NOT NULL, '
 '"name" VARCHAR(200) NOT NULL, "job_title" VARCHAR(200) NOT NULL, "role" VARCHAR(20) NOT NULL, '
 '"password_hash" VARCHAR(256) NOT NULL, "active" BOOLEAN NOT NULL, "person_id" INTEGER, '
 '"created_at" TIMESTAMP NOT NULL, "last_sign_in_at" TIMESTAMP, FOREIGN KEY ("person_id") '
 'REFERENCES "person" ("id") ON DELETE SET NULL)',
 'CREATE UNIQUE INDEX "staff_user_email" ON "staff_user" ("email")',
 'CREATE INDEX "staff_user_person_id" ON "staff_user" ("person_id")',
 'CREATE TABLE "stakeholder_group" ("id" SERIAL NOT NULL PRIMARY KEY, "key" VARCHAR(50) NOT NULL, '
 '"label" VARCHAR(100) NOT NULL, "plural_label" VARCHAR(100) NOT NULL, "translations" TEXT NOT '
 'NULL, "position" INTEGER NOT NULL, "anonymous" BOOLEAN NOT NULL)',
 'CREATE UNIQUE INDEX "stakeholder_group_key" ON "stakeholder_group" ("key")',
 'CREATE TABLE "stakeholder" ("id" SERIAL NOT NULL PRIMARY KEY, "email" VARCHAR(254) NOT NULL, '
 '"name" VARCHAR(200) NOT NULL, "group_id" INTEGER NOT NULL, "school" VARCHAR(200) NOT NULL, '
 '"language" VARCHAR(10) NOT NULL, "show_name_to_staff" BOOLEAN NOT NULL, "notifications_enabled" '
 'BOOLEAN NOT NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("group_id") REFERENCES '
 '"stakeholder_group" ("id"))',
 'CREATE UNIQUE INDEX "stakeholder_email" ON "stakeholder" ("email")',
 'CREATE INDEX "stakeholder_group_id" ON "stakeholder" ("group_id")',
 'CREATE TABLE "invitation" ("id" SERIAL NOT NULL PRIMARY KEY, "plan_id" INTEGER NOT NULL, '
 '"stakeholder_id" INTEGER NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "whole_plan" BOOLEAN NOT '
 'NULL, "created_at" TIMESTAMP NOT NULL, "expires_at" TIMESTAMP NOT NULL, "revoked_at" TIMESTAMP, '
 '"first_used_at" TIMESTAMP, "last_used_at" TIMESTAMP, FOREIGN KEY ("plan_id") REFERENCES "plan" '
 '("id") ON DELETE CASCADE, FOREIGN KEY ("stakeholder_id") REFERENCES "stakeholder" ("id") ON '
 'DELETE CASCADE)',
 'CREATE INDEX "invitation_plan_id" ON "invitation" ("plan_id")',
 'CREATE INDEX "invitation_stakeholder_id" ON "invitation" ("stakeholder_id")',
 'CREATE UNIQUE INDEX "invitation_token_hash" ON "invitation" ("token_hash")',
 'CREATE TABLE "invitation_strategy" ("id" SERIAL NOT NULL PRIMARY KEY, "invitation_id" INTEGER '
 'NOT NULL, "strategy_id" INTEGER NOT NULL, FOREIGN KEY ("invitation_id") REFERENCES "invitation" '
 '("id") ON DELETE CASCADE, FOREIGN KEY ("strategy_id") REFERENCES "strategy" ("id") ON DELETE '
 'CASCADE)',
 'CREATE INDEX "invitation_strategy_invitation_id" ON "invitation_strategy" ("invitation_id")',
 'CREATE INDEX "invitation_strategy_strategy_id" ON "invitation_strategy" ("strategy_id")',
 'CREATE UNIQUE INDEX "invitation_strategy_invitation_id_strategy_id" ON "invitation_strategy" '
 '("invitation_id", "strategy_id")',
 'CREATE TABLE "thread" ("id" SERIAL NOT NULL PRIMARY KEY, "plan_id" INTEGER NOT NULL, '
 '"strategy_id" INTEGER NOT NULL, "benchmark_id" INTEGER, "period_id" INTEGER, "stakeholder_id" '
 'INTEGER NOT NULL, "state" VARCHAR(20) NOT NULL, "assigned_to_id" INTEGER, "outcome" VARCHAR(20), '
 '"outcome_note" TEXT NOT NULL, "closed_at" TIMESTAMP, "closed_by_id" INTEGER, "created_at" '
 'TIMESTAMP NOT NULL, "last_activity_at" TIMESTAMP NOT NULL, FOREIGN KEY ("plan_id") REFERENCES '
 '"plan" ("id") ON DELETE CASCADE, FOREIGN KEY ("strategy_id") REFERENCES "strategy" ("id") ON '
 'DELETE CASCADE, FOREIGN KEY ("benchmark_id") REFERENCES "benchmark" ("id") ON DELETE CASCADE, '
 'FOREIGN KEY ("period_id") REFERENCES "monitoring_period" ("id") ON DELETE SET NULL, FOREIGN KEY '
 '("stakeholder_id") REFERENCES "stakeholder" ("id") ON DELETE CASCADE, FOREIGN KEY '
 '("assigned_to_id") REFERENCES "staff_user" ("id") ON DELETE SET NULL, FOREIGN KEY '
 '("closed_by_id") REFERENCES "staff_user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "thread_plan_id" ON "thread" ("plan_id")',
 'CREATE INDEX "thread_strategy_id" ON "thread" ("strategy_id")',
 'CREATE INDEX "thread_benchmark_id" ON "thread" ("benchmark_id")',
 'CREATE INDEX "thread_period_id" ON "thread" ("period_id")',
 'CREATE INDEX "thread_stakeholder_id" ON "thread" ("stakeholder_id")',
 'CREATE INDEX "thread_state" ON "thread" ("state")',
 'CREATE INDEX "thread_assigned_to_id" ON "thread" ("assigned_to_id")',
 'CREATE INDEX "thread_closed_by_id" ON "thread" ("closed_by_id")',
 'CREATE INDEX "thread_last_activity_at" ON "thread" ("last_activity_at")',
 'CREATE TABLE "comment" ("id" SERIAL NOT NULL PRIMARY KEY, "thread_id" INTEGER NOT NULL, '
 '"stakeholder_id" INTEGER, "staff_id" INTEGER, "body" TEXT NOT NULL, "language" VARCHAR(10) NOT '
 'NULL, "internal" BOOLEAN NOT NULL, "created_at" TIMESTAMP NOT NULL, "edited_at" TIMESTAMP, '
 '"withdrawn_at" TIMESTAMP, "hidden_at" TIMESTAMP, "hidden_reason" TEXT NOT NULL, "hidden_by_id" '
 'INTEGER, FOREIGN KEY ("thread_id") REFERENCES "thread" ("id") ON DELETE CASCADE, FOREIGN KEY '
 '("stakeholder_id") REFERENCES "stakeholder" ("id") ON DELETE CASCADE, FOREIGN KEY ("staff_id") '
 'REFERENCES "staff_user" ("id") ON DELETE SET NULL, FOREIGN KEY ("hidden_by_id") REFERENCES '
 '"staff_user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "comment_thread_id" ON "comment" ("thread_id")',
 'CREATE INDEX "comment_stakeholder_id" ON "comment" ("stakeholder_id")',
 'CREATE INDEX "comment_staff_id" ON "comment" ("staff_id")',
 'CREATE INDEX "comment_hidden_by_id" ON "comment" ("hidden_by_id")',
 'CREATE TABLE "input_summary" ("id" SERIAL NOT NULL PRIMARY KEY, "strategy_id" INTEGER NOT NULL, '
 '"period_id" INTEGER NOT NULL, "data" TEXT NOT NULL, "frozen_at" TIMESTAMP NOT NULL, '
 '"frozen_by_id" INTEGER, FOREIGN KEY ("strategy_id") REFERENCES "strategy" ("id") ON DELETE '
 'CASCADE, FOREIGN KEY ("period_id") REFERENCES "monitoring_period" ("id") ON DELETE CASCADE, '
 'FOREIGN KEY ("frozen_by_id") REFERENCES "staff_user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "input_summary_strategy_id" ON "input_summary" ("strategy_id")',
 'CREATE INDEX "input_summary_period_id" ON "input_summary" ("period_id")',
 'CREATE INDEX "input_summary_frozen_by_id" ON "input_summary" ("frozen_by_id")',
 'CREATE UNIQUE INDEX "input_summary_strategy_id_period_id" ON "input_summary" ("strategy_id", '
 '"period_id")',
 'CREATE TABLE "outbox_message" ("id" SERIAL NOT NULL PRIMARY KEY, "recipient" VARCHAR(254) NOT '
 'NULL, "subject" VARCHAR(300) NOT NULL, "body_text" TEXT NOT NULL, "body_html" TEXT NOT NULL, '
 '"kind" VARCHAR(50) NOT NULL, "state" VARCHAR(20) NOT NULL, "attempts" INTEGER NOT NULL, '
 '"next_attempt_at" TIMESTAMP NOT NULL, "last_error" TEXT NOT NULL, "created_at" TIMESTAMP NOT '
 'NULL, "sent_at" TIMESTAMP, "created_by_id" INTEGER, FOREIGN KEY ("created_by_id") REFERENCES '
 '"staff_user" ("id") ON DELETE SET NULL)',
 'CREATE INDEX "outbox_message_created_by_id" ON "outbox_message" ("created_by_id")',
 'CREATE INDEX "outbox_message_state_next_attempt_at" ON "outbox_message" ("state", '
 '"next_attempt_at")',
 'CREATE TABLE "audit_event" ("id" SERIAL NOT NULL PRIMARY KEY, "actor" VARCHAR(100) NOT NULL, '
 '"action" VARCHAR(100) NOT NULL, "object_type" VARCHAR(50) NOT NULL, "object_id" INTEGER, '
 '"created_at" TIMESTAMP NOT NULL, "details" TEXT NOT NULL)',
 'CREATE INDEX "audit_event_action" ON "audit_event" ("action")']

# key, English label, English plural, Spanish label, Spanish plural, names never shown
DEFAULT_GROUPS = [
    ("teacher", "Teacher", "Teachers", "Docente", "Docentes", False),
    ("teacher-leader", "Teacher leader", "Teacher leaders", "Docente líder", "Docentes líderes", False),
    ("paraprofessional", "Paraprofessional", "Paraprofessionals", "Paraprofesional", "Paraprofesionales", False),
    ("principal", "Principal", "Principals", "Director o directora", "Directores", False),
    (
        "principal-supervisor",
        "Principal supervisor",
        "Principal supervisors",
        "Supervisor de directores",
        "Supervisores de directores",
        False,
    ),
    ("parent", "Parent or guardian", "Parents and guardians", "Madre, padre o tutor", "Madres, padres y tutores", False),
    ("student", "Student", "Students", "Estudiante", "Estudiantes", True),
    ("board-member", "Board member", "Board members", "Miembro de la junta escolar", "Miembros de la junta escolar", False),
    ("business-leader", "Business leader", "Business leaders", "Líder empresarial", "Líderes empresariales", False),
    ("community-member", "Community member", "Community members", "Miembro de la comunidad", "Miembros de la comunidad", False),
]


def upgrade(database):
    statements = POSTGRESQL if isinstance(database.obj, peewee.PostgresqlDatabase) else SQLITE
    for statement in statements:
        database.execute_sql(statement)
    seed_groups(database)


def seed_groups(database):
    """Insert the default stakeholder groups with English and Spanish labels."""
    for position, (key, label, plural, label_es, plural_es, anonymous) in enumerate(DEFAULT_GROUPS):
        translations = json.dumps({"es": {"label": label_es, "plural_label": plural_es}}, ensure_ascii=False)
        database.execute_sql(
            'INSERT INTO "stakeholder_group" ("key", "label", "plural_label", "translations", "position", "anonymous") '
            "VALUES (%s, %s, %s, %s, %s, %s)".replace("%s", database.param),
            (key, label, plural, translations, position, anonymous),
        )
