package dev.ota.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A listing of one collection, optionally of one product: {@code ota firmware list}, {@code ota job list}. */
public abstract class ProductListing extends Subcommand {

    @Option(names = "--product", paramLabel = "PRODUCT_ID")
    String product;

    @Mixin
    PageOptions pages;

    private final String path;
    private final List<String> headers;
    private final Function<JsonNode, List<String>> row;

    /** The collection's path, and how its items print as table rows. */
    protected ProductListing(String path, List<String> headers, Function<JsonNode, List<String>> row) {
        this.path = path;
        this.headers = headers;
        this.row = row;
    }

    @Override
    public Integer call() {
        return pages.list(root(), path, Api.query("productId", product), headers, row);
    }
}
