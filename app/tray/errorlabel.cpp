#include "errorlabel.h"

#include <QVBoxLayout>
#include <functional>

namespace traybeat {

ErrorLabel::ErrorLabel(QWidget *parent) : QLabel(parent)
{
    setTextFormat(Qt::PlainText); // reasons may quote what the user typed
    setWordWrap(true);
    QPalette colours = palette();
    colours.setColor(QPalette::WindowText, errorColor());
    setPalette(colours);
    hide();
}

ErrorLabel::~ErrorLabel() = default;

QColor ErrorLabel::errorColor()
{
    return {0xd6, 0x30, 0x31};
}

void ErrorLabel::setError(const QString &reason)
{
    setText(reason);
    setVisible(!reason.isEmpty());
}

namespace {
QWidget *wrap(QWidget *parent, const std::function<void(QVBoxLayout *)> &addField,
              ErrorLabel *error)
{
    auto *container = new QWidget(parent);
    auto *layout = new QVBoxLayout(container);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    addField(layout);
    layout->addWidget(error);
    return container;
}
} // namespace

QWidget *fieldWithError(QWidget *field, ErrorLabel *error, QWidget *parent)
{
    return wrap(
        parent, [field](QVBoxLayout *layout) { layout->addWidget(field); }, error);
}

QWidget *fieldWithError(QLayout *field, ErrorLabel *error, QWidget *parent)
{
    return wrap(
        parent, [field](QVBoxLayout *layout) { layout->addLayout(field); }, error);
}

QLabel *hintLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

} // namespace traybeat
