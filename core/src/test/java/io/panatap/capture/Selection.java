package io.panatap.capture;

import io.panatap.Direction;

/** The three direction selections of tcpdump's {@code -Q}, for tests that go through all of them. */
enum Selection {
    IN(Direction.IN), OUT(Direction.OUT), INOUT(Direction.IN, Direction.OUT);

    private final Direction[] directions;

    Selection(Direction... directions) {
        this.directions = directions;
    }

    Direction[] directions() {
        return directions.clone();
    }
}
