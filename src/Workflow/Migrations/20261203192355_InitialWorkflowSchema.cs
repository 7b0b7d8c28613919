using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LiverFlow.Workflow.Migrations
{
    /// <inheritdoc />
    public partial class InitialWorkflowSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "workflow");

            migrationBuilder.CreateTable(
                name: "inbox_messages",
                schema: "workflow",
                columns: table => new
                {
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    consumer = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    message_type = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbox_messages", x => new { x.message_id, x.consumer });
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                schema: "workflow",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    message_type = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    body = table.Column<string>(type: "jsonb", nullable: false),
                    correlation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    dispatched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "studies",
                schema: "workflow",
                columns: table => new
                {
                    correlation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    current_state = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    calling_ae_title = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    instance_count = table.Column<int>(type: "integer", nullable: false),
                    first_received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ingested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    classified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    interpreted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    draft_report_created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    signed_off_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    rejected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    needs_attention_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    failed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    stage_started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    phase_count = table.Column<int>(type: "integer", nullable: false),
                    model_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    model_version = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    lesion_count = table.Column<int>(type: "integer", nullable: false),
                    rules_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    draft_report_key = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    reader_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    problem_stage = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    fault_count = table.Column<int>(type: "integer", nullable: false),
                    timeout_count = table.Column<int>(type: "integer", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_studies", x => x.correlation_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_inbox_messages_received_at",
                schema: "workflow",
                table: "inbox_messages",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_undelivered",
                schema: "workflow",
                table: "outbox_messages",
                column: "created_at",
                filter: "dispatched_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_studies_current_state_stage_started_at",
                schema: "workflow",
                table: "studies",
                columns: new[] { "current_state", "stage_started_at" });

            // Least privilege: the worker role gets DML on this schema only, QA dashboards read the
            // study table only. Roles are created by `./liverflow up`; where they do not exist
            // (a developer database) there is nothing to grant.
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'liverflow_workflow') THEN
                    GRANT USAGE ON SCHEMA workflow TO liverflow_workflow;
                    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA workflow TO liverflow_workflow;
                    ALTER DEFAULT PRIVILEGES IN SCHEMA workflow GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO liverflow_workflow;
                  END IF;
                  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'liverflow_qa_reader') THEN
                    GRANT USAGE ON SCHEMA workflow TO liverflow_qa_reader;
                    GRANT SELECT ON workflow.studies TO liverflow_qa_reader;
                  END IF;
                END
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "inbox_messages",
                schema: "workflow");

            migrationBuilder.DropTable(
                name: "outbox_messages",
                schema: "workflow");

            migrationBuilder.DropTable(
                name: "studies",
                schema: "workflow");
        }
    }
}
