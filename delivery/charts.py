"""The DORA chart as server-side SVG geometry: one bar per day (deployments that went live),
its failed part drawn over it. No script, no CDN; the template draws the rectangles."""

WIDTH, HEIGHT = 600, 120


def bars(daily: list) -> dict:
    tallest = max([day.deployments + 0 for day in daily] + [day.failed for day in daily] + [1])
    step = WIDTH / max(len(daily), 1)
    shown = []
    for index, day in enumerate(daily):
        height = round(HEIGHT * day.deployments / tallest, 1)
        failed = round(HEIGHT * day.failed / tallest, 1)
        shown.append({
            "x": round(index * step, 1), "width": round(max(step - 1, 1), 1),
            "y": round(HEIGHT - height, 1), "height": height,
            "failed_y": round(HEIGHT - failed, 1), "failed_height": failed, "day": day,
        })  # fmt: skip
    return {"width": WIDTH, "height": HEIGHT, "bars": shown, "tallest": tallest}
