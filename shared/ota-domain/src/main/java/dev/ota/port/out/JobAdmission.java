package dev.ota.port.out;

/**
 * Whether a job may still send update_firmware. Asked, strongly consistent, right before every
 * send the device protocol triggers, so that nothing goes out for a job once its cancel returned.
 */
public interface JobAdmission {

    /** For tests of the device protocol alone: every send is admitted. */
    JobAdmission ALWAYS = new JobAdmission() {
        @Override
        public boolean mayResend(String jobId) {
            return true;
        }

        @Override
        public boolean mayStartAttempt(String jobId) {
            return true;
        }
    };

    /** The same attempt again (checkpoint restart, fresh URL): the job is neither canceled, aborted nor completed. */
    boolean mayResend(String jobId);

    /** A new attempt: the job is IN_PROGRESS. */
    boolean mayStartAttempt(String jobId);
}
