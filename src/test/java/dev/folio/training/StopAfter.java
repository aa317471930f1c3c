package dev.folio.training;

/**
 * A training listener that asks the run to stop once it has done {@code steps} steps, as a shutdown would: the one fixture
 * for "stop after N steps".
 */
public final class StopAfter implements TrainingListener {

    private final int steps;
    private int done;

    private StopAfter(int steps) {
        this.steps = steps;
    }

    public static TrainingListener steps(int steps) {
        return new StopAfter(steps);
    }

    @Override
    public void onStep(StepReport report) {
        done = report.step();
    }

    @Override
    public boolean stopRequested() {
        return done >= steps;
    }
}
