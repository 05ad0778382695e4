package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.DynamoDbRolloutStoreTest.assertInvalid;
import static dev.ota.domain.ExecutionStatus.DELIVERED;
import static dev.ota.domain.ExecutionStatus.QUEUED;
import static dev.ota.domain.ExecutionStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.Execution;
import dev.ota.domain.Page;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobActors;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.rollout.ReleaseBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DynamoDbJobRepositoryTest extends StoreFixture {

    private final String product = MotoTables.id("P");

    @Test
    void aJobReadsBackAsCreated() {
        JobRecord job = record(MotoTables.id("job"), product, "2.0.0", JobStatus.PREPARING, true, T0);

        jobs.create(job);

        assertThat(jobs.find(job.jobId())).contains(job);
        assertThat(jobs.state(job.jobId())).contains(JobStatus.PREPARING);
    }

    @Test
    void whoCreatedPausedResumedAndCanceledReadsBack() {
        JobRecord plain = record(MotoTables.id("job"), product, "2.0.0", JobStatus.PREPARING, false, T0);
        String alice = "arn:aws:iam::123456789012:user/alice";
        String bob = "arn:aws:sts::123456789012:assumed-role/Operator/bob";
        JobRecord job = new JobRecord(
                plain.jobId(),
                plain.productId(),
                plain.firmware(),
                plain.definition(),
                plain.state(),
                plain.stateReason(),
                plain.targetCount(),
                plain.currentStage(),
                plain.stageSizes(),
                plain.expanded(),
                plain.cursor(),
                plain.seqNext(),
                plain.expansionHeartbeat(),
                plain.invalidNames(),
                plain.duplicateNames(),
                plain.budget(),
                plain.planAt(),
                plain.pausedByRule(),
                plain.resumedStage(),
                plain.windowEnded(),
                plain.swept(),
                plain.createdAt(),
                JobActors.createdBy(alice));
        jobs.create(job);
        assertThat(jobs.find(job.jobId()).orElseThrow().actors()).isEqualTo(JobActors.createdBy(alice));

        assertThat(jobs.update(job.jobId(), JobPatch.patch().pausedBy(bob))).isTrue();
        assertThat(jobs.update(job.jobId(), JobPatch.patch().resumedBy(alice).canceledBy(bob)))
                .isTrue();
        assertThat(jobs.update(job.jobId(), JobPatch.patch().state(JobStatus.PAUSED, "x")))
                .as("a patch that names nobody keeps who acted")
                .isTrue();

        assertThat(jobs.find(job.jobId()).orElseThrow().actors()).isEqualTo(new JobActors(alice, bob, alice, bob));
        assertThat(jobs.find(plain.jobId()).orElseThrow().actors().pausedBy()).isEqualTo(bob);
    }

    @Test
    void aJobNobodyIsNamedOnReadsBackWithNoActors() {
        JobRecord job = record(MotoTables.id("job"), product, "2.0.0", JobStatus.PREPARING, false, T0);
        jobs.create(job);
        assertThat(jobs.find(job.jobId()).orElseThrow().actors()).isEqualTo(JobActors.NONE);
    }

    @Test
    void aSecondCreateOfTheSameIdIsRefusedAndKeepsTheFirst() {
        JobRecord first = record(MotoTables.id("job"), product, "2.0.0", JobStatus.PREPARING, false, T0);
        jobs.create(first);

        assertThatThrownBy(() -> jobs.create(
                        record(first.jobId(), product, "3.0.0", JobStatus.IN_PROGRESS, false, T0.plusSeconds(1))))
                .isInstanceOf(RuntimeException.class);

        assertThat(jobs.find(first.jobId())).contains(first);
    }

    @Test
    void anUnknownJobAndACounterShardAreNotJobs() {
        JobRecord job = job();
        DeviceId device = queueOne(job);
        released(job, device);

        assertThat(jobs.find(MotoTables.id("job"))).isEmpty();
        assertThat(jobs.state(MotoTables.id("job"))).isEmpty();
        String shard = job.jobId() + "#c" + Math.floorMod(device.deviceName().hashCode(), JobCounters.SHARDS);
        assertThat(jobs.find(shard)).isEmpty();
        assertThat(jobs.state(shard)).isEmpty();
    }

    @Nested
    class Update {

        private final JobRecord job = job(product, JobStatus.IN_PROGRESS, false);

        @Test
        void appliesOnlyWhileTheStateIsOneOfTheExpected() {
            assertThat(jobs.update(
                            job.jobId(),
                            JobPatch.patch().ifStateIn(JobStatus.PAUSED).state(JobStatus.IN_PROGRESS, "resumed")))
                    .isFalse();
            assertThat(jobs.find(job.jobId())).contains(job);

            assertThat(jobs.update(
                            job.jobId(),
                            JobPatch.patch().ifStateIn(JobStatus.IN_PROGRESS).state(JobStatus.PAUSED, "paused")))
                    .isTrue();
            JobRecord paused = jobs.find(job.jobId()).orElseThrow();
            assertThat(paused.state()).isEqualTo(JobStatus.PAUSED);
            assertThat(paused.stateReason()).isEqualTo("paused");
        }

        @Test
        void anUnknownJobIsNotCreatedByAPatch() {
            String unknown = MotoTables.id("job");

            assertThat(jobs.update(
                            unknown,
                            JobPatch.patch()
                                    .state(JobStatus.CANCELED, "canceled")
                                    .addExpanded(5, 0, 0)))
                    .isFalse();

            assertThat(jobs.find(unknown)).isEmpty();
            assertThat(jobs.state(unknown)).isEmpty();
        }

        @Test
        void ofTwoPlansFromTheSameStateOnlyOneWins() {
            ReleaseBudget budget = new ReleaseBudget(12.5, T0);
            JobPatch first = JobPatch.patch()
                    .ifPlanAt(null)
                    .ifStateIn(JobStatus.IN_PROGRESS)
                    .planAt(T0)
                    .budget(budget);
            JobPatch second = JobPatch.patch()
                    .ifPlanAt(null)
                    .ifStateIn(JobStatus.IN_PROGRESS)
                    .planAt(T0.plusMillis(5))
                    .budget(budget);

            assertThat(jobs.update(job.jobId(), first)).isTrue();
            assertThat(jobs.update(job.jobId(), second)).isFalse();

            JobRecord planned = jobs.find(job.jobId()).orElseThrow();
            assertThat(planned.planAt()).isEqualTo(T0);
            assertThat(planned.budget()).isEqualTo(budget);
            assertThat(jobs.update(job.jobId(), JobPatch.patch().ifPlanAt(T0).planAt(T0.plusSeconds(60))))
                    .isTrue();
            assertThat(jobs.update(job.jobId(), JobPatch.patch().ifPlanAt(T0).planAt(T0.plusSeconds(61))))
                    .isFalse();
        }

        @Test
        void anExpansionCheckpointCountsItsBatchOnce() {
            JobPatch checkpoint = JobPatch.patch()
                    .ifCursor(null)
                    .cursor("page-2")
                    .seqNext(100)
                    .heartbeat(T0)
                    .addExpanded(100, 3, 2);

            assertThat(jobs.update(job.jobId(), checkpoint)).isTrue();
            assertThat(jobs.update(job.jobId(), checkpoint)).isFalse();

            JobRecord expanded = jobs.find(job.jobId()).orElseThrow();
            assertThat(expanded.cursor()).isEqualTo("page-2");
            assertThat(expanded.seqNext()).isEqualTo(100);
            assertThat(expanded.targetCount()).isEqualTo(100);
            assertThat(expanded.invalidNames()).isEqualTo(3);
            assertThat(expanded.duplicateNames()).isEqualTo(2);
            assertThat(expanded.expansionHeartbeat()).isEqualTo(T0);
            assertThat(jobs.counts(job.jobId()).get(QUEUED)).isEqualTo(100);

            assertThat(jobs.update(
                            job.jobId(),
                            JobPatch.patch().ifCursor("page-2").cursor(null).expanded(true)))
                    .isTrue();
            JobRecord done = jobs.find(job.jobId()).orElseThrow();
            assertThat(done.cursor()).isNull();
            assertThat(done.expanded()).isTrue();
        }

        @Test
        void aStageMovesOnlyFromTheStageItWasDecidedIn() {
            JobPatch next = JobPatch.patch()
                    .ifStateIn(JobStatus.IN_PROGRESS)
                    .ifCurrentStage(0)
                    .currentStage(1)
                    .stageSizes(List.of(10L, 90L));

            assertThat(jobs.update(job.jobId(), next)).isTrue();
            assertThat(jobs.update(job.jobId(), next)).isFalse();

            JobRecord staged = jobs.find(job.jobId()).orElseThrow();
            assertThat(staged.currentStage()).isEqualTo(1);
            assertThat(staged.stageSizes()).containsExactly(10L, 90L);
        }

        @Test
        void theSchedulersFlagsReadBack() {
            assertThat(jobs.update(
                            job.jobId(),
                            JobPatch.patch()
                                    .pausedByRule(true)
                                    .resumedStage(2)
                                    .windowEnded(true)
                                    .swept(true)))
                    .isTrue();

            JobRecord flagged = jobs.find(job.jobId()).orElseThrow();
            assertThat(flagged.pausedByRule()).isTrue();
            assertThat(flagged.resumedStage()).isEqualTo(2);
            assertThat(flagged.windowEnded()).isTrue();
            assertThat(flagged.swept()).isTrue();
        }
    }

    @Nested
    class Indexes {

        @Test
        void aNewJobIsLiveUntilItLeavesTheScheduler() {
            JobRecord job = job(product, JobStatus.PREPARING, false);

            assertThat(jobs.liveJobIds()).contains(job.jobId());

            assertThat(jobs.update(job.jobId(), JobPatch.patch().live(false))).isTrue();
            assertThat(jobs.liveJobIds()).doesNotContain(job.jobId());
        }

        @Test
        void dynamicJobsOfAProductOldestFirstUntilTheyStopTakingDevices() {
            JobRecord newer = jobs(
                    record(MotoTables.id("job"), product, "2.0.0", JobStatus.IN_PROGRESS, true, T0.plusSeconds(10)));
            JobRecord older = jobs(record(MotoTables.id("job"), product, "2.0.0", JobStatus.IN_PROGRESS, true, T0));
            job(product, JobStatus.IN_PROGRESS, false);
            job(MotoTables.id("P"), JobStatus.IN_PROGRESS, true);

            assertThat(jobs.liveDynamicJobs(product)).containsExactly(older, newer);

            assertThat(jobs.update(older.jobId(), JobPatch.patch().dynamicActive(false)))
                    .isTrue();
            assertThat(jobs.liveDynamicJobs(product))
                    .extracting(JobRecord::jobId)
                    .containsExactly(newer.jobId());
        }

        @Test
        void targetingFindsALiveJobOnTheVersion() {
            JobRecord live = job(product, JobStatus.PAUSED, false);

            assertThat(jobs.targeting(product, "2.0.0")).contains(live.jobId());
            assertThat(jobs.targeting(product, "3.0.0")).isEmpty();
            assertThat(jobs.targeting(MotoTables.id("P"), "2.0.0")).isEmpty();

            setState(live, JobStatus.COMPLETED);
            job(product, JobStatus.CANCELED, false);
            assertThat(jobs.targeting(product, "2.0.0")).isEmpty();
        }
    }

    @Nested
    class Listing {

        @Test
        void aProductsJobsPageNewestFirst() {
            List<JobRecord> created = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                created.add(jobs(record(
                        MotoTables.id("job"), product, "2.0.0", JobStatus.IN_PROGRESS, false, T0.plusSeconds(i))));
            }

            List<JobRecord> listed = new ArrayList<>();
            String token = null;
            do {
                Page<JobRecord> page = jobs.list(product, token, 2);
                assertThat(page.items().size()).isLessThanOrEqualTo(2);
                listed.addAll(page.items());
                token = page.nextToken();
            } while (token != null);

            java.util.Collections.reverse(created);
            assertThat(listed).containsExactlyElementsOf(created);
        }

        @Test
        void allJobsPageThroughEveryJobAndNoCounterShard() {
            JobRecord job = job(product, JobStatus.IN_PROGRESS, false);
            List<DeviceId> queued =
                    queue(job, IntStream.range(0, 3).mapToObj(i -> "d-" + i).toArray(String[]::new));
            queued.forEach(d -> released(job, d));

            List<JobRecord> listed = new ArrayList<>();
            String token = null;
            int pages = 0;
            do {
                Page<JobRecord> page = jobs.list(null, token, 7);
                listed.addAll(page.items());
                token = page.nextToken();
                pages++;
            } while (token != null && pages < 10_000);

            assertThat(listed)
                    .extracting(JobRecord::jobId)
                    .doesNotHaveDuplicates()
                    .contains(job.jobId())
                    .noneMatch(id -> id.contains("#"));
        }

        /**
         * Every product's jobs come from the sparse byCreated index: newest first, and a page holds
         * {@code limit} jobs when more follow (the 8 counter shards of each job are not in the index).
         */
        @Test
        void allJobsComeNewestFirstInFullPages() {
            List<JobRecord> created = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                JobRecord job = jobs(record(
                        MotoTables.id("job"),
                        product,
                        "2.0.0",
                        JobStatus.IN_PROGRESS,
                        false,
                        T0.plusSeconds(3600 + i)));
                released(job, queue(job, "d-" + i).get(0));
                created.add(0, job);
            }

            Page<JobRecord> first = jobs.list(null, null, 4);

            assertThat(first.items()).hasSize(4);
            List<JobRecord> mine = new ArrayList<>();
            String token = null;
            do {
                Page<JobRecord> page = jobs.list(null, token, 50);
                page.items().stream().filter(j -> j.productId().equals(product)).forEach(mine::add);
                token = page.nextToken();
            } while (token != null);
            // By id: queueing and releasing moved each job's targetCount and seqNext since it was created.
            assertThat(mine)
                    .extracting(JobRecord::jobId)
                    .containsExactlyElementsOf(
                            created.stream().map(JobRecord::jobId).toList());
        }

        @Test
        void aJobItemWrittenBeforeTheIndexIsListedByProductOnlyUntilItHasTheIndexKeys() {
            JobRecord job = jobs(
                    record(MotoTables.id("job"), product, "2.0.0", JobStatus.IN_PROGRESS, false, T0.plusSeconds(7200)));
            // As items written before byCreated existed: no listKey, no createdKey.
            dynamo.updateItem(r -> r.tableName(MotoTables.TABLES.jobs())
                    .key(Map.of("jobId", Attr.s(job.jobId())))
                    .updateExpression("REMOVE listKey, createdKey"));

            assertThat(jobs.list(product, null, 10).items()).contains(job);
            assertThat(allJobIds()).doesNotContain(job.jobId());

            dynamo.updateItem(r -> r.tableName(MotoTables.TABLES.jobs())
                    .key(Map.of("jobId", Attr.s(job.jobId())))
                    .updateExpression("SET listKey = :k, createdKey = :c")
                    .expressionAttributeValues(Map.of(
                            ":k",
                            Attr.s("JOB"),
                            ":c",
                            Attr.s(DynamoDbJobRepository.createdKey(job.createdAt(), job.jobId())))));
            assertThat(allJobIds()).contains(job.jobId());
        }

        private List<String> allJobIds() {
            List<String> ids = new ArrayList<>();
            String token = null;
            do {
                Page<JobRecord> page = jobs.list(null, token, 100);
                page.items().forEach(j -> ids.add(j.jobId()));
                token = page.nextToken();
            } while (token != null);
            return ids;
        }

        @Test
        void aTokenThatIsNotFromThisListingIsAnInvalidRequest() {
            String other = MotoTables.id("P");
            for (int i = 0; i < 3; i++) {
                jobs(record(MotoTables.id("job"), product, "2.0.0", JobStatus.IN_PROGRESS, false, T0.plusSeconds(i)));
                jobs(record(MotoTables.id("job"), other, "2.0.0", JobStatus.IN_PROGRESS, false, T0.plusSeconds(i)));
            }
            String ofProduct = jobs.list(product, null, 1).nextToken();
            String ofAll = jobs.list(null, null, 1).nextToken();

            assertInvalid(() -> jobs.list(product, "%%%", 5));
            assertInvalid(() -> jobs.list(product, ofAll, 5));
            assertInvalid(() -> jobs.list(null, ofProduct, 5));
            // A key of the index's own shape that the listing did not make.
            assertInvalid(() -> jobs.list(
                    null,
                    PageTokens.encode(
                            Map.of(
                                    "jobId",
                                    Attr.s("j1"),
                                    "listKey",
                                    Attr.s("LIVE"),
                                    "createdKey",
                                    Attr.s("000000000000001#j1")),
                            List.of("jobId", "listKey", "createdKey")),
                    5));
            assertInvalid(() -> jobs.list(
                    null,
                    PageTokens.encode(
                            Map.of(
                                    "jobId",
                                    Attr.s("j1"),
                                    "listKey",
                                    Attr.s("JOB"),
                                    "createdKey",
                                    Attr.s("000000000000001#j2")),
                            List.of("jobId", "listKey", "createdKey")),
                    5));
            assertThat(jobs.list(null, ofAll, 1).items()).hasSize(1);
            // On AWS, a start key outside the query's partition is a ValidationException, not a page.
            assertInvalid(() -> jobs.list(other, ofProduct, 5));
        }
    }

    @Nested
    class Counts {

        @Test
        void countsAddTheExpansionBaseAndEveryShard() {
            JobRecord job = job(product, JobStatus.IN_PROGRESS, false);
            List<DeviceId> queued =
                    queue(job, IntStream.range(0, 10).mapToObj(i -> "d-" + i).toArray(String[]::new));
            for (int i = 0; i < 6; i++) {
                Execution live = released(job, queued.get(i), i % 3, null, T0);
                if (i < 2) {
                    moved(queued.get(i), live, live.withStatus(SUCCEEDED, 100, T0.plusSeconds(1)));
                }
            }

            JobCounts counts = jobs.counts(job.jobId());

            assertThat(counts.get(QUEUED)).isEqualTo(4);
            assertThat(counts.get(DELIVERED)).isEqualTo(4);
            assertThat(counts.get(SUCCEEDED)).isEqualTo(2);
            assertThat(counts.stage(0).entered()).isEqualTo(2);
            assertThat(counts.stage(1).entered()).isEqualTo(2);
            assertThat(counts.stage(2).entered()).isEqualTo(2);
            assertThat(counts.stage(0).succeeded()).isEqualTo(1);
            assertThat(counts.stage(1).succeeded()).isEqualTo(1);
            assertThat(counts.stage(2).live()).isEqualTo(2);
            assertCountsMatchRows(job);
        }

        @Test
        void adjustingAddsToTheTotalsAndTheGroupsAndLeavesRetriesAlone() {
            JobRecord job = job(product, JobStatus.IN_PROGRESS, false);
            List<DeviceId> queued = queue(job, "d-a", "d-b");
            released(job, queued.get(0), 1, null, T0);
            JobCounts before = jobs.counts(job.jobId());

            jobs.adjustCounts(
                    job.jobId(),
                    new JobCounts(
                            Map.of(DELIVERED, -1L, SUCCEEDED, 2L),
                            Map.of(1, Map.of(DELIVERED, -1L), 2, Map.of(SUCCEEDED, 2L)),
                            7));

            JobCounts after = jobs.counts(job.jobId());
            assertThat(after.get(DELIVERED)).isEqualTo(before.get(DELIVERED) - 1);
            assertThat(after.get(SUCCEEDED)).isEqualTo(2);
            assertThat(after.get(QUEUED)).isEqualTo(1);
            assertThat(after.stage(1).live()).isZero();
            assertThat(after.stage(2).succeeded()).isEqualTo(2);
            assertThat(after.retries()).isEqualTo(before.retries());
        }

        @Test
        void countsOfManyJobsAtOnce() {
            // 12 jobs: 108 items (job item and 8 shards each), more than one BatchGetItem takes.
            List<JobRecord> many = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                JobRecord job = job(product, JobStatus.IN_PROGRESS, false);
                int jobIndex = i;
                queue(
                        job,
                        IntStream.range(0, i + 1)
                                .mapToObj(n -> "d-" + jobIndex + "-" + n)
                                .toArray(String[]::new));
                many.add(job);
            }
            JobRecord last = many.get(11);
            released(last, new DeviceId(product, "d-11-0"));
            String unknown = MotoTables.id("job");
            List<String> ids =
                    new ArrayList<>(many.stream().map(JobRecord::jobId).toList());
            ids.add(unknown);

            Map<String, JobCounts> counts = jobs.counts(ids);

            assertThat(counts).containsOnlyKeys(ids);
            for (int i = 0; i < 11; i++) {
                assertThat(counts.get(many.get(i).jobId()).get(QUEUED)).isEqualTo(i + 1);
            }
            assertThat(counts.get(last.jobId()).get(QUEUED)).isEqualTo(11);
            assertThat(counts.get(last.jobId()).get(DELIVERED)).isEqualTo(1);
            assertThat(counts.get(unknown).ordered().values()).containsOnly(0L);
            assertThat(jobs.counts(List.of())).isEmpty();
        }
    }

    private JobRecord jobs(JobRecord job) {
        jobs.create(job);
        return job;
    }
}
