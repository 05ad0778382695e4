# moto_server's own main(), as MotoServer (local/stand-ins) runs it: `python -c <this file> -H host -p port`.
# Six changes to how moto serves, none to what it answers:
#  1. Requests are handled one at a time (moto's DynamoDB backend is not thread-safe). A request's
#     body is read before the lock is taken: a client that sent its headers and stopped would
#     otherwise hold the lock for good.
#  2. TransactWriteItems keeps a journal of the items it touches, not a deep copy of every table
#     it touches (moto 5.2.5 copies whole tables for its rollback: each transaction cost time and
#     memory in proportion to the table's size, 8.4 GB at a 1,000-device fleet). Same checks, same
#     order, same errors; a cancelled transaction restores exactly the items it changed.
#  3. Query reads the partition it names (a table query) or sorts only the items it keeps (an index
#     query); moto 5.2.5 sorted every item of the table on every query, so each query cost
#     O(n log n) in the table's size (160-230 ms at 5,000 executions). Same items, same order,
#     same pages.
#  4. moto_server ends when its parent JVM is gone, even after a SIGKILL.
#  5. No request log: werkzeug logs warnings and errors only.
#  6. The IoT registry looks a thing, a certificate and a principal's attachments up by key (moto
#     5.2.5 scans them all: four O(n) lookups per CONNECT at n devices). Same answers, order, errors.
import copy, io, logging, os, threading, time
from decimal import Decimal
from typing import Any

import moto.server as server
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import RESULT_SIZE_LIMIT, GlobalSecondaryIndex, Table
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


def unsorted_items(table):
    """Every item of the table, in no particular order (moto's all_items() sorts them all)."""
    for hash_set in table.items.values():
        if table.range_key_attr:
            yield from hash_set.values()
        else:
            yield hash_set


def sort_value(value):
    """DynamoType.cast_value, what DynamoType's comparisons compare, for the types a key can have."""
    if value.type == "S" or value.type == "B":
        return value.value
    if value.type == "N":
        return Decimal(value.value)
    return value.cast_value


def same_value(a, b):
    """DynamoType's ==: the same type and the same cast_value."""
    if a.type != b.type:
        return False
    if a.type == "S" or a.type == "B":
        return a.value == b.value
    return a.cast_value == b.cast_value


# moto 5.2.5's Table.query, with three changes marked "patched" and nothing else: a query of the table
# reads its partition, a query of an index filters the items before sorting only those it keeps,
# and sorting compares the values DynamoType compares without calling it. moto sorted every item of
# the table on every query: O(n log n) in the table's size, 160-230 ms a query at 5,000 executions.
def query(
    self,
    hash_key: DynamoType | None,
    range_comparison: str | None,
    range_objs: list[DynamoType],
    limit: int,
    exclusive_start_key: dict[str, Any],
    scan_index_forward: bool,
    projection_expressions: list[list[str]] | None,
    index_name: str | None = None,
    consistent_read: bool = False,
    filter_expression: Any = None,
    hash_key_conditions: list[tuple[str, DynamoType]] | None = None,
    range_key_conditions: list[tuple[str, str, list[DynamoType]]] | None = None,
    **filter_kwargs: Any,
) -> tuple[list[Item], int, dict[str, Any] | None]:
    # FIND POSSIBLE RESULTS
    # Initialize variables for range key handling
    index_range_key: dict[str, str] | None = None
    last_range_key_name: str | None = None

    # Extract last_range_key_name from range_key_conditions if present
    if range_key_conditions:
        last_range_key_name = range_key_conditions[-1][0]

    if index_name:
        all_indexes = self.all_indexes()
        indexes_by_name = {i.name: i for i in all_indexes}
        if index_name not in indexes_by_name:
            all_names = ", ".join(indexes_by_name.keys())
            raise MockValidationException(
                f"Invalid index: {index_name} for table: {self.name}. Available indexes are: {all_names}"
            )

        index = indexes_by_name[index_name]

        if consistent_read and index in self.global_indexes:
            raise MockValidationException(
                "Consistent reads are not supported on global secondary indexes"
            )

        # Get ALL hash keys from schema (multi-attribute support)
        index_hash_keys = [key for key in index.schema if key["KeyType"] == "HASH"]
        if not index_hash_keys:
            raise MockValidationException(
                f"Missing Hash Key. KeySchema: {index.name}"
            )

        # Get ALL range keys from schema (multi-attribute support)
        index_range_keys = [
            key for key in index.schema if key["KeyType"] == "RANGE"
        ]

        if not index_range_keys:
            if isinstance(index, GlobalSecondaryIndex) and self.range_key_attr:
                # If we're querying a GSI that does not have a range key, the main range key acts as a range key
                index_range_key = {"AttributeName": self.range_key_attr}
            else:
                # If we don't have a range key on the main table either, the hash key acts as a range key
                index_range_key = {"AttributeName": self.hash_key_attr}
            if range_comparison:
                raise ValueError(
                    f"Range Key comparison but no range key found for index: {index_name}"
                )
        else:
            # For backward compatibility with single range key
            index_range_key = index_range_keys[0]

        # Build hash_attrs for sorting: all index hash keys + table hash key
        hash_attrs = [k["AttributeName"] for k in index_hash_keys] + [
            self.hash_key_attr
        ]
        # Build range_attrs for sorting: all index range keys + table range key
        # Note: For backward compatibility with _generate_attr_to_sort_by, we always
        # include table range key (even if None) when there's only one GSI range key
        if index_range_keys:
            range_attrs: list[str | None] = [
                k["AttributeName"] for k in index_range_keys
            ]
            # Always append table range key for backward compatibility with sorting
            range_attrs.append(self.range_key_attr)
        elif index_range_key:
            range_attrs = [index_range_key["AttributeName"], self.range_key_attr]
        else:
            range_attrs = [self.range_key_attr]

        # Build a dict of all hash key conditions from new interface
        all_hash_conditions: dict[str, DynamoType] = {}
        if hash_key_conditions:
            for attr_name, value in hash_key_conditions:
                all_hash_conditions[attr_name] = value

        # Build a dict of range key equalities (all but last in range_key_conditions)
        range_equality_conditions: dict[str, DynamoType] = {}
        if range_key_conditions and len(range_key_conditions) > 1:
            # All but the last range key condition are equalities
            for attr_name, _comparison, values in range_key_conditions[:-1]:
                range_equality_conditions[attr_name] = values[0]

        possible_results = []
        for item in unsorted_items(self):  # patched: moto sorts every item of the table first
            if not isinstance(item, Item):
                continue

            # Check ALL hash key conditions
            hash_match = True
            for attr_name, expected_value in all_hash_conditions.items():
                item_value = item.attrs.get(attr_name)
                if not item_value or not same_value(item_value, expected_value):  # patched: as !=, faster
                    hash_match = False
                    break

            if not hash_match:
                continue

            # Check range key equality conditions (for multi-attribute range keys)
            range_equality_match = True
            for attr_name, expected_value in range_equality_conditions.items():
                item_value = item.attrs.get(attr_name)
                if not item_value or not same_value(item_value, expected_value):  # patched: as !=, faster
                    range_equality_match = False
                    break

            if not range_equality_match:
                continue

            # For GSI, ensure item has ALL range key attributes (DynamoDB only indexes
            # items that have all key attributes present)
            if index_range_keys:
                has_all_range_keys = all(
                    item.attrs.get(key["AttributeName"]) for key in index_range_keys
                )
                if not has_all_range_keys:
                    continue

            possible_results.append(item)
    else:
        hash_attrs = [self.hash_key_attr]
        range_attrs = [self.range_key_attr]

        # patched: this partition's items; moto sorts every item of the table, then keeps this partition's
        partition = self.items.get(hash_key) if hash_key is not None else None
        if partition is None:
            possible_results = []
        elif self.range_key_attr:
            possible_results = [item for item in partition.values() if isinstance(item, Item)]
        else:
            possible_results = [partition] if isinstance(partition, Item) else []

    # SORT
    if index_name:
        # patched: the same order, sorted by the values DynamoType compares (cast_value) rather than
        # through DynamoType.__lt__
        attrs_to_sort_by = self._generate_attr_to_sort_by(hash_attrs, range_attrs)
        possible_results.sort(key=lambda x: tuple([sort_value(x.attrs[key]) for key in attrs_to_sort_by]))
    elif self.range_key_attr:
        possible_results.sort(key=lambda item: sort_value(item.range_key))  # type: ignore

    if scan_index_forward is False:
        possible_results.reverse()

    # FILTER
    results: list[Item] = []
    result_size = 0
    scanned_count = 0
    last_evaluated_key = None
    processing_previous_page = exclusive_start_key is not None
    for result in possible_results:
        # Cycle through the previous page of results
        # When we encounter our start key, we know we've reached the end of the previous page
        if processing_previous_page:
            if self._item_comes_before_dct(
                result,
                exclusive_start_key,
                hash_attrs,
                range_attrs,
                scan_index_forward,
            ):
                continue
            else:
                processing_previous_page = False

        # Check wether we've reached the limit of our result set
        # That can be either in number, or in size
        reached_length_limit = len(results) == limit
        reached_size_limit = (result_size + result.size()) > RESULT_SIZE_LIMIT
        if reached_length_limit or reached_size_limit:
            last_evaluated_key = self._get_last_evaluated_key(
                results[-1], index_name
            )
            break

        if not range_comparison and not filter_kwargs:
            # If we're not filtering on range key or on an index
            results.append(result)
            result_size += result.size()
            scanned_count += 1

        if range_comparison:
            # Determine which attribute to apply the range comparison to
            range_attr_for_comparison: str | None = None
            if last_range_key_name:
                # Multi-attribute key: use the specific range key from the query
                range_attr_for_comparison = last_range_key_name
            elif index_name and index_range_key:
                # Single range key GSI: use the index range key
                range_attr_for_comparison = index_range_key["AttributeName"]

            if range_attr_for_comparison and result.attrs.get(
                range_attr_for_comparison
            ):
                if result.attrs.get(range_attr_for_comparison).compare(  # type: ignore
                    range_comparison, range_objs
                ):
                    results.append(result)
                    result_size += result.size()
                    scanned_count += 1
            elif not index_name:
                # Table query (not GSI): use the table's range key
                if result.range_key.compare(range_comparison, range_objs):  # type: ignore[union-attr]
                    results.append(result)
                    result_size += result.size()
                    scanned_count += 1

        if filter_kwargs:
            for field, value in filter_kwargs.items():
                dynamo_types = [
                    DynamoType(ele) for ele in value["AttributeValueList"]
                ]
                if result.attrs.get(field).compare(  # type: ignore[union-attr]
                    value["ComparisonOperator"], dynamo_types
                ):
                    results.append(result)
                    result_size += result.size()
            scanned_count += 1

    results = copy.deepcopy(results)
    if index_name:
        index = self.get_index(index_name)
        results = [index.project(r) for r in results]

    if filter_expression is not None:
        results = [item for item in results if filter_expression.expr(item)]

    if projection_expressions:
        results = [r.project(projection_expressions) for r in results]

    return results, scanned_count, last_evaluated_key


class PairIndexedDict(dict):
    """moto's dict keyed by (principal, name) pairs, that also knows the keys of each principal and of
    each name (in the dict's own order): the lists of one principal's or one thing's attachments."""

    def __init__(self, items):
        super().__init__()
        self.by_first = {}
        self.by_second = {}
        for k, v in items.items():
            self[k] = v

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.by_first.setdefault(key[0], {})[key] = None
        self.by_second.setdefault(key[1], {})[key] = None

    def __delitem__(self, key):
        super().__delitem__(key)
        for index, part in ((self.by_first, key[0]), (self.by_second, key[1])):
            keys = index[part]
            del keys[key]
            if not keys:
                del index[part]

    def _unsupported(self, *args, **kwargs):
        raise NotImplementedError("moto_server_main.py: PairIndexedDict supports [k] = v and del [k] only")

    pop = popitem = update = setdefault = clear = _unsupported


# moto 5.2.5's IoT registry finds a thing, a certificate or a principal's attachments by scanning
# every thing, certificate or attachment it holds (its dicts are keyed by the thing's ARN and the
# certificate's id, its attachments by (principal, name) pairs). The broker's identity wall does
# four such lookups on every CONNECT, enrolment some on every device: O(n) each at n devices. These
# look the key up instead; a thing or certificate not found by its key falls back to moto's own
# scan, so answers, order and errors are moto's.
def patch_iot_lookups():
    from moto.iot.exceptions import ResourceNotFoundException
    from moto.iot.models import IoTBackend
    from moto.utilities.utils import get_partition

    init, describe_thing, describe_certificate, get_principal = (
        IoTBackend.__init__,
        IoTBackend.describe_thing,
        IoTBackend.describe_certificate,
        IoTBackend._get_principal,
    )

    def indexed_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.principal_policies = PairIndexedDict(self.principal_policies)
        self.principal_things = PairIndexedDict(self.principal_things)

    def thing_by_key(self, thing_name):
        arn = f"arn:{get_partition(self.region_name)}:iot:{self.region_name}:{self.account_id}:thing/{thing_name}"
        thing = self.things.get(arn)
        if thing is not None and thing.thing_name == thing_name:
            return thing
        return describe_thing(self, thing_name)

    def certificate_by_key(self, certificate_id):
        cert = self.certificates.get(certificate_id)
        if cert is not None and cert.certificate_id == certificate_id:
            return cert
        return describe_certificate(self, certificate_id)

    def principal_by_key(self, principal_arn):
        if ":cert/" in principal_arn:
            cert = self.certificates.get(principal_arn.split(":cert/", 1)[1])
            if cert is not None and cert.arn == principal_arn:
                return cert
        return get_principal(self, principal_arn)

    def attached_policies(self, target):
        return [self.principal_policies[k][1] for k in self.principal_policies.by_first.get(target, ())]

    def principal_things(self, principal_arn):
        return [k[1] for k in self.principal_things.by_first.get(principal_arn, ())]

    def thing_principals_checked(self, thing_name):
        try:
            self.describe_thing(thing_name)
        except ResourceNotFoundException:
            raise ResourceNotFoundException(
                f"Failed to list principals for thing {thing_name} because the thing does not exist in your account"
            )
        return [k[0] for k in self.principal_things.by_second.get(thing_name, ())]

    IoTBackend.__init__ = indexed_init
    IoTBackend.describe_thing = thing_by_key
    IoTBackend.describe_certificate = certificate_by_key
    IoTBackend._get_principal = principal_by_key
    IoTBackend.list_attached_policies = attached_policies
    IoTBackend.list_principal_policies = attached_policies
    IoTBackend.list_principal_things = principal_things
    IoTBackend.list_thing_principals = thing_principals_checked


def patch_transactions():
    import moto

    if not moto.__version__.startswith("5.2."):
        raise SystemExit(
            "moto_server_main.py: the transaction patch is written for moto 5.2.x (scripts/requirements.txt pins it), not "
            + moto.__version__
        )
    DynamoDBBackend.transact_write_items = transact_write_items
    Table.query = query
    patch_iot_lookups()


def serve():
    threading.Thread(target=watch_parent, daemon=True).start()
    # No line per request (a tenth of moto's CPU at a fleet's request rate, and a log that grows with
    # every call); werkzeug's warnings and errors, tracebacks included, are still logged.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
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
