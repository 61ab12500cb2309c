package io.hookshard.processing;

/** An item of a batch with its position, so outcomes can be given back in input order. */
record Indexed<T>(int index, T item) {
}
