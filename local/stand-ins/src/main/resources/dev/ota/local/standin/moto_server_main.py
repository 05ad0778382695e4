# moto_server's own main(), as MotoServer (local/stand-ins) runs it: `python -c <this file> -H host -p port`.
# Three changes to how moto serves, none to what it answers:
#  1. Requests are handled one at a time (moto's DynamoDB backend is not thread-safe). A request's
#     body is read before the lock is taken: a client that sent its headers and stopped would
#     otherwise hold the lock for good.
#  2. TransactWriteItems keeps a journal of the items it touches, not a deep copy of every table
#     it touches (moto 5.2.5 copies whole tables for its rollback: each transaction cost time and
#     memory in proportion to the table's size, 8.4 GB at a 1,000-device fleet). Same checks, same
#     order, same errors; a cancelled transaction restores exactly the items it changed.
#  3. moto_server ends when its parent JVM is gone, even after a SIGKILL.
import copy, io, os, threading, time

import moto.server as server
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.comparisons import get_filter_expression

parent = os.getppid()


def watch_parent():
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


class ItemJournal:
    """The items a transaction is about to change, as they were; restore() puts them back."""

    def __init__(self, backend):
        self.backend = backend
        self.entries = []

    def remember(self, table_name, key):
        table = self.backend.tables.get(table_name)
        if table is None:
            return
        hash_value = DynamoType(key[table.hash_key_attr]) if table.hash_key_attr in key else None
        range_value = (
            DynamoType(key[table.range_key_attr])
            if table.range_key_attr is not None and table.range_key_attr in key
            else None
        )
        if hash_value is None or (table.range_key_attr is not None and range_value is None):
            return  # moto rejects the key itself before it writes anything
        current = table.get_item(hash_value, range_value)
        self.entries.append((table, hash_value, range_value, copy.deepcopy(current)))

    def restore(self):
        for table, hash_value, range_value, original in reversed(self.entries):
            if original is None:
                table.delete_item(hash_value, range_value)
            elif range_value is not None:
                table.items[hash_value][range_value] = original
            else:
                table.items[hash_value] = original


def transact_write_items(self, transact_items):
    # moto 5.2.5's transact_write_items, with ItemJournal in place of its copies of whole tables.
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    journal = ItemJournal(self)
    target_items = set()

    def check_unicity(table_name, key):
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors = []
    for item in transact_items:
        original_item = None
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            expression_attribute_names = op.get("ExpressionAttributeNames")
            expression_attribute_values = op.get("ExpressionAttributeValues")
            return_values_on_condition_check_failure = op.get("ReturnValuesOnConditionCheckFailure")
            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            check_unicity(table_name, key)
            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition_op = get_filter_expression(
                    condition_expression, expression_attribute_names, expression_attribute_values
                )
                if not condition_op.expr(current):
                    if return_values_on_condition_check_failure == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)
            if op_type != "ConditionCheck":
                journal.remember(table_name, key)
            if op_type == "Put":
                self.put_item(
                    table_name,
                    op["Item"],
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Update":
                self.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            journal.restore()
            raise
        except ConditionalCheckFailed as e:
            errors.append(("ConditionalCheckFailed", str(e.message), original_item))
        except Exception as e:  # noqa: E722, as moto does
            errors.append((type(e).__name__, str(e), original_item))
    if any(code is not None for code, _, _ in errors):
        journal.restore()
        raise TransactionCanceledException(errors)


def patch_transactions():
    import moto

    if not moto.__version__.startswith("5.2."):
        raise SystemExit(
            "moto_server_main.py: the transaction patch is written for moto 5.2.x (scripts/requirements.txt pins it), not "
            + moto.__version__
        )
    DynamoDBBackend.transact_write_items = transact_write_items


def serve():
    threading.Thread(target=watch_parent, daemon=True).start()
    patch_transactions()
    lock = threading.Lock()
    run_simple = server.run_simple

    def serialized(app):
        def handle(environ, start_response):
            length = environ.get("CONTENT_LENGTH")
            if environ.get("wsgi.input_terminated"):
                environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read())
            elif length and length.isdigit() and int(length) > 0:
                environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(int(length)))
            with lock:
                return list(app(environ, start_response))

        return handle

    server.run_simple = lambda host, port, app, **kw: run_simple(host, port, serialized(app), **kw)
    server.main()


if __name__ == "__main__":
    serve()
