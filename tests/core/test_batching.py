"""core.batching: items gathered while a batch is open are flushed once per key at its end."""

import pytest

from core import batching


def test_outside_a_batch_nothing_is_gathered():
    assert batching.gather(lambda key, items: None, "k", [1]) is False


def test_a_batch_flushes_each_key_once_with_everything_gathered_for_it():
    flushed = []

    def flush(key, items):
        flushed.append((key, items))

    with batching.batch():
        assert batching.gather(flush, "a", [1, 2])
        assert batching.gather(flush, "b", [3])
        assert batching.gather(flush, "a", [4])
        assert flushed == []

    assert flushed == [("a", [1, 2, 4]), ("b", [3])]
    assert batching.gather(flush, "a", [5]) is False  # the batch is over


def test_an_inner_batch_leaves_the_flush_to_the_outer_one():
    flushed = []
    with batching.batch():
        with batching.batch():
            batching.gather(lambda key, items: flushed.append(items), "k", [1])
        assert flushed == []
    assert flushed == [[1]]


def test_a_failing_flush_is_logged_and_the_others_still_run(caplog):
    done = []

    def broken(key, items):
        raise RuntimeError("broken")

    with batching.batch():
        batching.gather(broken, "x", [1])
        batching.gather(lambda key, items: done.append(items), "y", [2])

    assert done == [[2]]
    assert "batched work failed" in caplog.text


def test_an_error_inside_the_batch_still_flushes_and_propagates():
    flushed = []
    with pytest.raises(ValueError):
        with batching.batch():
            batching.gather(lambda key, items: flushed.append(items), "k", [1])
            raise ValueError("the loop broke")
    assert flushed == [[1]]
