package io.ember.store;

/** The database failed (disk, corruption, a bug in a query). Not a user error. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
