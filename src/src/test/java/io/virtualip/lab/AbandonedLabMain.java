package io.virtualip.lab;

/**
 * Run in a child JVM by {@link LabTest}: creates a lab, reports its id and waits to be killed
 * without closing it.
 */
public final class AbandonedLabMain {

  private AbandonedLabMain() {}

  public static void main(String[] args) throws InterruptedException {
    Lab lab = Lab.create(LabTest.PREFIX, 2);
    System.out.println("lab " + lab.id());
    System.out.flush();
    Thread.sleep(600_000);
  }
}
